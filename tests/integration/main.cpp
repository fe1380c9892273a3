#define BOOST_TEST_MODULE claude_harness_integration
#include <boost/test/unit_test.hpp>
