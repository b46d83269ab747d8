// The one Boost.Test entry point, linked into every test executable.
#define BOOST_TEST_MODULE troupe
#include <boost/test/unit_test.hpp>
