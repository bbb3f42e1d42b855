// Loading encoder.json / vocab.bpe: one-line UserErrors naming the file (and line), and tiktoken's merge
// rule.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tokenizer/gpt2_bpe.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm {
namespace {

class Gpt2Files : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ropelm_gpt2_files_" + std::to_string(::getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A small vocabulary: the 256 bytes, then `extra` tokens (plain ASCII), then <|endoftext|>.
  std::string write_encoder(const std::vector<std::string>& extra) {
    nlohmann::json encoder = nlohmann::json::object();
    for (int byte = 0; byte < 256; ++byte)
      encoder[gpt2::byte_to_unicode(std::string(1, static_cast<char>(byte)))] = byte;
    for (const std::string& token : extra) encoder[token] = encoder.size();
    encoder["<|endoftext|>"] = encoder.size();
    return write("encoder.json", encoder.dump());
  }
  std::string write(const std::string& name, const std::string& content) {
    write_file_atomic(dir_ / name, content);
    return (dir_ / name).string();
  }
  std::unique_ptr<Tokenizer> load(const std::string& vocab, const std::string& merges) {
    TokenizerConfig config;
    config.type = TokenizerKind::kGpt2;
    config.vocab = vocab;
    config.merges = merges;
    return make_gpt2_tokenizer(config);
  }
  // The UserError message of loading, or "" when it loads.
  std::string load_error(const std::string& vocab, const std::string& merges) {
    try {
      load(vocab, merges);
    } catch (const UserError& error) {
      std::string message = error.what();
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
      return message;
    }
    return "";
  }

  std::filesystem::path dir_;
};

TEST_F(Gpt2Files, LoadsASmallVocabulary) {
  auto tokenizer = load(write_encoder({"ab", "abc"}), write("merges", "#version: 0.2\na b\nab c\n"));
  EXPECT_EQ(tokenizer->vocab_size(), 259);
  EXPECT_EQ(tokenizer->end_of_document_id(), 258);
  EXPECT_EQ(tokenizer->encode("abcab"), (std::vector<TokenId>{257, 256}));
  EXPECT_EQ(tokenizer->encode("ab<|endoftext|>"), (std::vector<TokenId>{256, 258}));
}

// "bc" merges first, then "a"+"bc" makes "abc": no merge line says so, but tiktoken ranks the concatenation.
TEST_F(Gpt2Files, MergesAnyPairWhoseConcatenationHasARank) {
  auto tokenizer = load(write_encoder({"bc", "ab", "abc"}), write("merges", "b c\na b\nab c\n"));
  EXPECT_EQ(tokenizer->encode("abcx"), (std::vector<TokenId>{258, 'x'}));
  EXPECT_EQ(tokenizer->encode("abx"), (std::vector<TokenId>{257, 'x'}));
}

TEST_F(Gpt2Files, MissingFilesAreNamed) {
  std::string merges = write("merges", "a b\n");
  EXPECT_NE(load_error((dir_ / "absent.json").string(), merges).find("absent.json"), std::string::npos);
  EXPECT_NE(load_error(write_encoder({"ab"}), (dir_ / "absent.bpe").string()).find("absent.bpe"),
            std::string::npos);
  EXPECT_NE(load_error(write_encoder({"ab"}), "").find("tokenizer.merges"), std::string::npos);
}

TEST_F(Gpt2Files, MalformedEncoderJsonIsNamed) {
  std::string merges = write("merges", "");
  std::string path = write("bad.json", "{\"a\": 0,");
  std::string message = load_error(path, merges);
  EXPECT_EQ(message.rfind(path + ": not valid JSON", 0), 0u) << message;
  std::string list = write("list.json", "[1, 2]");
  EXPECT_EQ(load_error(list, merges), list + ": expected a JSON object mapping each token to its id");
  EXPECT_NE(load_error(write("text.json", "{\"a\": \"zero\"}"), merges).find("token \"a\" has id \"zero\""),
            std::string::npos);
  EXPECT_NE(load_error(write("bytes.json", "{\"a\": 0}"), merges).find("no token for byte 0"),
            std::string::npos);
}

TEST_F(Gpt2Files, MergeOfAnUnknownSymbolNamesFileAndLine) {
  std::string encoder = write_encoder({"ab"});
  std::string merges = write("vocab.bpe", "#version: 0.2\na b\nxy z\n");
  EXPECT_EQ(load_error(encoder, merges), merges + ": line 3: merge symbol \"xy\" is not in the vocabulary");
  std::string no_result = write("result.bpe", "a b\nb c\n");
  EXPECT_EQ(load_error(encoder, no_result),
            no_result + ": line 2: merge result \"bc\" is not in the vocabulary");
  std::string three = write("three.bpe", "a b c\n");
  EXPECT_EQ(load_error(encoder, three), three + ": line 1: expected two symbols separated by one space");
}

TEST_F(Gpt2Files, DecodeRejectsIdsOutsideTheVocabulary) {
  auto tokenizer = load(write_encoder({"ab"}), write("merges", "a b\n"));
  EXPECT_THROW(tokenizer->decode(std::vector<TokenId>{258}), UserError);
  EXPECT_THROW(tokenizer->token(-1), UserError);
}

}  // namespace
}  // namespace ropelm
