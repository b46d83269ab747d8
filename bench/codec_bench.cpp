// Decode+validate throughput of the tutorial's deployment manifest, in objects per
// second: YAML text in, a defaulted and validated Deployment out, as `troupectl create`
// and the gateway do it. Prints a table, then one JSON line with the figures.
//
// Usage: bench_codec [manifest] [seconds-per-run]   (defaults: manifests/deployment-definition.yml,
// 2)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "messages/codec/encoder.hpp"
#include "messages/codec/manifest_reader.hpp"

namespace codec = troupe::messages::codec;
using clock_type = std::chrono::steady_clock;

namespace {

// Runs `step` repeatedly for about `seconds`; returns operations per second.
template <class Step>
double ops_per_second(double seconds, Step step) {
  std::size_t ops = 0;
  auto start = clock_type::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
  while (clock_type::now() < deadline) {
    for (int i = 0; i < 64; ++i)
      step();
    ops += 64;
  }
  return static_cast<double>(ops) /
         std::chrono::duration<double>(clock_type::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : "manifests/deployment-definition.yml";
  double seconds = argc > 2 ? std::stod(argv[2]) : 2.0;
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "bench_codec: cannot read %s (run from the repository root)\n",
                 path.c_str());
    return 1;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  auto check = codec::read_manifest_text(text, path);
  if (!check.ok() || check.objects.size() != 1) {
    std::fprintf(stderr, "bench_codec: %s must hold exactly one valid object\n", path.c_str());
    return 1;
  }
  const auto& object = check.objects[0];
  auto printed_yaml = codec::to_yaml(*codec::encode_object(*object.object, *object.kind));

  constexpr int runs = 5;
  std::vector<double> parse, decode, full, encode;
  std::size_t sink = 0;  // keeps the optimiser from dropping the work
  for (int r = 0; r < runs; ++r) {
    parse.push_back(
        ops_per_second(seconds, [&] { sink += codec::parse_yaml_stream(text).documents.size(); }));
    decode.push_back(ops_per_second(
        seconds, [&] { sink += codec::read_manifest_text(text, path).objects.size(); }));
    full.push_back(ops_per_second(seconds, [&] {
      auto set = codec::read_manifest_text(text, path);
      sink += codec::default_and_validate(set.objects[0]).size() + set.objects.size();
    }));
    encode.push_back(ops_per_second(seconds, [&] {
      sink += codec::to_yaml(*codec::encode_object(*object.object, *object.kind)).size();
    }));
  }

  std::printf("codec benchmark: %s (%zu bytes), median of %d runs of %.1f s\n\n", path.c_str(),
              text.size(), runs, seconds);
  std::printf("%-34s %14s %14s %14s\n", "stage", "median obj/s", "min obj/s", "max obj/s");
  auto row = [](const char* name, const std::vector<double>& v) {
    std::printf("%-34s %14.0f %14.0f %14.0f\n", name, median(v),
                *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end()));
  };
  row("YAML parse only", parse);
  row("parse + strict decode", decode);
  row("parse + decode + default + validate", full);
  row("encode to YAML (kubectl -o yaml)", encode);
  std::printf("\n(sink %zu, printed %zu bytes)\n", sink % 10, printed_yaml.size());
  std::printf(
      "{\"benchmark\":\"codec\",\"manifest\":\"%s\",\"bytes\":%zu,\"runs\":%d,"
      "\"parse_per_s\":%.0f,\"decode_per_s\":%.0f,\"decode_validate_per_s\":%.0f,"
      "\"encode_yaml_per_s\":%.0f}\n",
      path.c_str(), text.size(), runs, median(parse), median(decode), median(full), median(encode));
  return 0;
}
