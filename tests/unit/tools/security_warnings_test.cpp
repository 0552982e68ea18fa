// The warnings printed for options that weaken security but are obeyed: --insecure, and a
// secret file other users can access.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "common/security_warnings.hpp"
#include "common/sub_options.hpp"
#include "support/process.hpp"
#include "tools_test_support.hpp"

namespace mqtk::tools {
namespace {

connection_options options_of(std::vector<std::string> args) {
  args.insert(args.begin(), {"-t", "x"});
  return parse_sub_options(args, test::quiet_env()).connection;
}

class secret_file : public ::testing::Test {
 protected:
  std::string file_with_mode(const std::string& contents, mode_t mode) {
    const auto path = (dir_ / "secret").string();
    mqtk::test::write_file(path, contents);
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
  mqtk::test::temp_dir dir_{"mqtk-secret"};
};

TEST(security_warnings, none_for_the_defaults) { EXPECT_TRUE(security_warnings(options_of({})).empty()); }

TEST(security_warnings, insecure_gives_one_line_saying_the_host_name_is_not_checked) {
  const auto w = security_warnings(options_of({"--insecure"}));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("--insecure"), std::string::npos) << w[0];
  EXPECT_NE(w[0].find("host name is not checked"), std::string::npos) << w[0];
  EXPECT_EQ(w[0].find('\n'), std::string::npos);
}

TEST_F(secret_file, a_password_file_readable_by_others_gives_one_line_and_is_still_read) {
  const auto path = file_with_mode("s3cret\n", 0644);
  const auto o = options_of({"-u", "u", "--password-file", path});
  EXPECT_EQ(o.password, "s3cret");
  const auto w = security_warnings(o);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("--password-file '" + path + "'"), std::string::npos) << w[0];
  EXPECT_NE(w[0].find("0644"), std::string::npos) << w[0];
  EXPECT_NE(w[0].find("chmod 600"), std::string::npos) << w[0];
  EXPECT_EQ(w[0].find("s3cret"), std::string::npos) << w[0];
}

TEST_F(secret_file, a_password_file_only_its_owner_can_access_gives_none) {
  const auto path = file_with_mode("s3cret\n", 0600);
  EXPECT_TRUE(security_warnings(options_of({"-u", "u", "--password-file", path})).empty());
  ::chmod(path.c_str(), 0400);
  EXPECT_TRUE(security_warnings(options_of({"-u", "u", "--password-file", path})).empty());
}

TEST_F(secret_file, group_access_alone_is_enough_for_the_warning) {
  const auto path = file_with_mode("s3cret\n", 0640);
  EXPECT_EQ(security_warnings(options_of({"-u", "u", "--password-file", path})).size(), 1u);
}

TEST_F(secret_file, a_psk_file_readable_by_others_is_warned_about_too) {
  const auto path = file_with_mode("00112233\n", 0604);
  const auto w = security_warnings(options_of({"--psk-identity", "dev", "--psk-file", path}));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("--psk-file"), std::string::npos) << w[0];
}

}  // namespace
}  // namespace mqtk::tools
