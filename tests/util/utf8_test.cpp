// UTF-8 validation (util/utf8.h): RFC 3629's rules, and the byte offset named in the error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "util/error.h"
#include "util/utf8.h"

namespace ropelm {
namespace {

TEST(Utf8, ValidationFollowsRfc3629) {
  EXPECT_EQ(utf8::first_invalid("plain ascii"), std::string_view::npos);
  EXPECT_EQ(utf8::first_invalid("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), std::string_view::npos);
  EXPECT_EQ(utf8::first_invalid("a\xC0\xAF"), 1u);         // overlong '/'
  EXPECT_EQ(utf8::first_invalid("ab\xED\xA0\x80"), 2u);    // surrogate U+D800
  EXPECT_EQ(utf8::first_invalid("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(utf8::first_invalid("\xE2\x82"), 0u);          // truncated sequence
  EXPECT_EQ(utf8::first_invalid("x\x80"), 1u);             // stray continuation byte
}

TEST(Utf8, ValidateNamesTheFirstInvalidByte) {
  EXPECT_NO_THROW(utf8::validate("twelve bytes and then some more ASCII \xC3\xA9"));
  EXPECT_THAT([] { utf8::validate("sixteen ascii by\xFFtes"); },
              ::testing::ThrowsMessage<UserError>("invalid UTF-8 at byte offset 16"));
}

}  // namespace
}  // namespace ropelm
