// A fresh directory, under the system temp dir unless told otherwise, removed with
// everything in it when the test is done. For tests and benchmarks only.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace troupe::test_support {

class temp_dir {
 public:
  // Created in `root`, or in the system temp dir when `root` is empty.
  explicit temp_dir(const std::string& prefix = "troupe-test",
                    const std::filesystem::path& root = {}) {
    auto parent = root.empty() ? std::filesystem::temp_directory_path() : root;
    std::string pattern = (parent / (prefix + "-XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + pattern);
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace troupe::test_support
