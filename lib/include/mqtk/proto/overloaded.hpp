#pragma once
// One visitor from several lambdas, for std::visit over the action and transport variants:
//   std::visit(overloaded{[](const send_action& s) { ... }, [](const auto&) {}}, a);
// In proto, the layer every other one depends on, so that net, diag and the tools share it.
namespace mqtk::proto {

template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
// clang 14 (the fuzz build) deduces the lambdas' types only with this guide.
template <class... F>
overloaded(F...) -> overloaded<F...>;

}  // namespace mqtk::proto
