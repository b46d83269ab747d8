// libFuzzer target: any bytes through the whole manifest path (parse, decode, default,
// validate, encode to YAML and JSON, decode again). Nothing may crash, hang or leak,
// and whatever decodes must survive its own round trip.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <google/protobuf/util/message_differencer.h>

#include "messages/codec/encoder.hpp"
#include "messages/codec/manifest_reader.hpp"

namespace codec = troupe::messages::codec;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto set = codec::read_manifest_text(text, "fuzz");
  for (auto& object : set.objects) {
    auto tree = codec::encode_object(*object.object, *object.kind);
    for (const auto& printed : {codec::to_yaml(*tree), codec::to_json(*tree)}) {
      auto again = codec::read_manifest_text(printed, "fuzz-round-trip");
      // Invariant: what we print, we read back unchanged.
      if (again.objects.size() != 1 || !google::protobuf::util::MessageDifferencer::Equals(
                                           *object.object, *again.objects[0].object))
        std::abort();
    }
    codec::default_and_validate(object);
  }
  return 0;
}
