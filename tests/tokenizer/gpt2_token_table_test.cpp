// TokenTable against std::unordered_map on many keys: short, long, sharing their inline prefix, and absent.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <unordered_map>

#include "tokenizer/gpt2_bpe.h"

namespace ropelm::gpt2 {
namespace {

TEST(Gpt2TokenTable, AgreesWithAnUnorderedMap) {
  std::mt19937 random(7);
  std::unordered_map<std::string, TokenId> reference;
  TokenTable table;
  const std::string long_prefix(16, 'x');  // keys longer than the inline bytes that differ only after them
  for (TokenId id = 0; id < 60000; ++id) {
    std::string key(1 + random() % 24, '\0');
    for (char& byte : key) byte = static_cast<char>(random() % 6);
    if (id % 7 == 0) key = long_prefix + key;
    if (reference.emplace(key, id).second) table.insert(key, id);
    table.insert(key, id + 1000000);  // a repeated key keeps its first id
  }
  for (const auto& [key, id] : reference) ASSERT_EQ(table.find(key), id) << key.size();
  for (int trial = 0; trial < 20000; ++trial) {
    std::string key(1 + random() % 24, '\0');
    for (char& byte : key) byte = static_cast<char>(6 + random() % 6);  // bytes no inserted key holds
    ASSERT_EQ(table.find(key), -1);
  }
  EXPECT_EQ(table.find(""), -1);
  EXPECT_EQ(TokenTable().find("a"), -1);
}

}  // namespace
}  // namespace ropelm::gpt2
