// Every manifest in manifests/ is valid and round-trips; every typo the tutorial makes
// (tests/fixtures/tutorial-typos) gets a clear error at the right line and column.
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include <google/protobuf/util/message_differencer.h>

#include "messages/codec/encoder.hpp"
#include "messages/codec/manifest_reader.hpp"

namespace codec = troupe::messages::codec;
namespace fs = std::filesystem;
using google::protobuf::util::MessageDifferencer;

namespace {

std::vector<fs::path> manifest_files() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator("manifests"))
    if (e.path().extension() == ".yml" || e.path().extension() == ".yaml")
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string first_error(const codec::manifest_set& set) {
  return set.errors.empty() ? "" : set.errors[0].to_string();
}

// Encodes with `print`, decodes the text again, and checks the object is unchanged.
void check_round_trip(const codec::manifest_object& o, bool json) {
  auto tree = codec::encode_object(*o.object, *o.kind);
  auto text = json ? codec::to_json(*tree) : codec::to_yaml(*tree);
  auto again = codec::read_manifest_text(text, "round-trip");
  BOOST_REQUIRE_MESSAGE(again.ok(), o.source << ": " << first_error(again) << "\n" << text);
  BOOST_REQUIRE_EQUAL(again.objects.size(), 1u);
  BOOST_TEST(again.objects[0].kind == o.kind);
  BOOST_TEST(MessageDifferencer::Equals(*o.object, *again.objects[0].object),
             o.source << (json ? " (json)" : " (yaml)") << " changed:\n"
                      << text);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(messages_manifests)

BOOST_AUTO_TEST_CASE(every_manifest_round_trips_and_validates) {
  auto files = manifest_files();
  BOOST_REQUIRE_GE(files.size(), 14u);
  std::size_t objects = 0;
  for (const auto& file : files) {
    auto set = codec::read_manifest_path(file);
    BOOST_REQUIRE_MESSAGE(set.ok(), first_error(set));
    BOOST_TEST(!set.objects.empty(), file);
    for (auto& o : set.objects) {
      ++objects;
      check_round_trip(o, false);  // as written
      check_round_trip(o, true);
      auto errors = codec::default_and_validate(o);
      BOOST_TEST(errors.empty(), (errors.empty() ? "" : errors[0].to_string()));
      check_round_trip(o, false);  // defaulted
      check_round_trip(o, true);
    }
  }
  // pod, rc, rs, deployment, 2 services, pv, pvc, 2 hpa, netpol, multi-container pod,
  // mongo: secret, configmap, 2 deployments, 2 services.
  BOOST_TEST(objects == 18u);
}

BOOST_AUTO_TEST_CASE(directory_reads_files_in_name_order) {
  auto set = codec::read_manifest_path("manifests");
  BOOST_REQUIRE(set.ok());
  BOOST_TEST(set.objects.size() == 18u);
  BOOST_TEST(set.objects.front().source == "manifests/deployment-definition.yml");
}

BOOST_AUTO_TEST_CASE(missing_path_is_an_error) {
  auto set = codec::read_manifest_path("manifests/no-such-file.yml");
  BOOST_REQUIRE_EQUAL(set.errors.size(), 1u);
  BOOST_TEST(set.errors[0].to_string() ==
             "manifests/no-such-file.yml: the path "
             "\"manifests/no-such-file.yml\" does not exist");
}

struct typo_case {
  const char* file;
  const char* where;    // "line:col" that the error must point at
  const char* message;  // the text that must appear in the error
};

// The tutorial's own mistakes, with what a user must see to fix them.
const typo_case typo_cases[] = {
    {"kind-beplogment.yml", "2:7",
     "no matches for kind \"Beplogment\" in version \"apps/v1\"; did you mean kind "
     "\"Deployment\"?"},
    {"apiversion-capital-v1.yml", "1:13",
     "no matches for kind \"ReplicationController\" in version \"V1\"; did you mean apiVersion "
     "\"v1\"?"},
    {"service-apiversion-capital-v1.yml", "1:13",
     "no matches for kind \"Service\" in version \"V1\""},
    {"service-clusterip-apiversion-capital-v1.yml", "1:13",
     "no matches for kind \"Service\" in version \"V1\""},
    {"replicaset-apiversion-v1.yml", "1:13",
     "no matches for kind \"ReplicaSet\" in version \"v1\"; kind \"ReplicaSet\" is in apiVersion "
     "\"apps/v1\""},
    {"label-fromplate.yml", "15:9",
     "YAML syntax error: a \"key: value\" is not allowed here; line 15 is indented more than "
     "line 14 (\"type: fromplate\", column 1)"},
    {"rc-bad-indentation.yml", "19:1", "unknown field \"replicas\""},
    {"rc-inconsistent-indentation.yml", "19:2",
     "line 19 starts at column 2, which lines up with no key above it"},
    {"replicaset-metadata-name-unindented.yml", "5:8",
     "line 5 is indented more than line 4 (\"name: myapp-replicaset\", column 1)"},
    {"replicaset-metadata-name-unindented-no-labels.yml", "4:1", "unknown field \"name\""},
    {"deployment-missing-image.yml", "17:9",
     "The Deployment \"myapp-deployment\" is invalid: "
     "spec.template.spec.containers[0].image: Required value"},
    {"field-typo-imagee.yml", "18:9", "unknown field \"spec.template.spec.containers[0].imagee\""},
    {"selector-mismatch.yml", "13:9",
     "spec.template.metadata.labels: Invalid value: "
     "map[string]string{\"app\":\"myapp\", \"type\":\"front-end\"}: `selector` does not match "
     "template `labels`"},
    {"nodeport-out-of-range.yml", "10:15",
     "spec.ports[0].nodePort: Invalid value: 3008: provided port is not in the valid range. The "
     "range of valid ports is 30000-32767"},
};

BOOST_AUTO_TEST_CASE(every_tutorial_typo_gets_its_clear_error) {
  for (const auto& c : typo_cases) {
    auto path = fs::path("tests/fixtures/tutorial-typos") / c.file;
    BOOST_REQUIRE_MESSAGE(fs::exists(path), path);
    auto set = codec::read_manifest_path(path);
    std::vector<codec::manifest_error> errors = set.errors;
    for (auto& o : set.objects) {
      auto more = codec::default_and_validate(o);
      errors.insert(errors.end(), more.begin(), more.end());
    }
    BOOST_TEST_CONTEXT(c.file) {
      BOOST_REQUIRE(!errors.empty());
      auto text = errors[0].to_string();
      auto expected_prefix = path.string() + ":" + c.where + ": ";
      BOOST_TEST(text.rfind(expected_prefix, 0) == 0u, text);
      BOOST_TEST(text.find(c.message) != std::string::npos, text);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
