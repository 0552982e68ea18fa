#include "mqtk/bench/topic_template.hpp"

#include <set>

#include <gtest/gtest.h>

namespace mqtk::bench {
namespace {

TEST(topic_template, placeholders_expand) {
  std::mt19937_64 rng(1);
  const topic_template t("bench/%i/%c/%s/100%%");
  EXPECT_TRUE(t.per_message());
  EXPECT_TRUE(t.uses_index());
  EXPECT_EQ(t.expand(7, "mqtk-bench_7", 42, rng), "bench/7/mqtk-bench_7/42/100%");
}

TEST(topic_template, plain_text_is_the_same_for_every_message) {
  std::mt19937_64 rng(1);
  const topic_template t("a/b");
  EXPECT_FALSE(t.per_message());
  EXPECT_FALSE(t.uses_index());
  EXPECT_EQ(t.expand(1, "x", 2, rng), "a/b");
}

TEST(topic_template, rand_stays_in_range_and_varies) {
  std::mt19937_64 rng(5);
  const topic_template t("t/%rand_3");
  EXPECT_TRUE(t.per_message());
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) seen.insert(t.expand(0, "", 0, rng));
  EXPECT_EQ(seen, (std::set<std::string>{"t/1", "t/2", "t/3"}));
}

TEST(topic_template, bad_placeholders_are_named) {
  EXPECT_THROW(topic_template("a/%x"), std::invalid_argument);
  EXPECT_THROW(topic_template("a/%rand_"), std::invalid_argument);
  EXPECT_THROW(topic_template("a/%rand_0"), std::invalid_argument);
  try {
    topic_template("a/%q");
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'%q'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mqtk::bench
