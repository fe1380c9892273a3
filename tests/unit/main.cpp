#define BOOST_TEST_MODULE claude_harness_unit
#include <boost/test/unit_test.hpp>
