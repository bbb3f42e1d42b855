// Source resolution, document splitting and the bad-input errors at the corpus boundary.
#include <gtest/gtest.h>

#include "data/corpus_documents.h"
#include "data/corpus_sources.h"
#include "support/temp_dir.h"
#include "util/error.h"

namespace ropelm {
namespace {

using testing::TempDir;
using testing::write_text;

// Runs fn and returns the UserError's message (fails the test if none is thrown).
template <typename Fn>
std::string user_error(Fn fn) {
  try {
    fn();
  } catch (const UserError& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a UserError";
  return "";
}

std::vector<std::string_view> documents(const std::string& name, std::string_view bytes, bool paragraphs) {
  static SourceDocuments keep;  // the views may point into the decoded JSON strings
  keep = split_documents(name, bytes, paragraphs);
  return keep.documents;
}

TEST(CorpusSources, DirectoriesAreRecursiveSortedAndFiltered) {
  TempDir dir;
  write_text(dir / "b.txt", "b");
  write_text(dir / "sub/a.jsonl", "{\"text\": \"a\"}");
  write_text(dir / "a.txt", "a");
  write_text(dir / "notes.md", "skipped");
  auto paths = resolve_sources({dir.path().string(), (dir / "a.txt").string()}, "data.train");
  std::vector<std::filesystem::path> expected = {dir / "a.txt", dir / "b.txt", dir / "sub/a.jsonl"};
  EXPECT_EQ(paths, expected);  // the explicit a.txt again is a duplicate
}

TEST(CorpusSources, GlobsMatchSorted) {
  TempDir dir;
  write_text(dir / "x2.txt", "2");
  write_text(dir / "x1.txt", "1");
  write_text(dir / "y.txt", "y");
  auto paths = resolve_sources({(dir / "x*.txt").string()}, "data.train");
  EXPECT_EQ(paths, (std::vector<std::filesystem::path>{dir / "x1.txt", dir / "x2.txt"}));
}

TEST(CorpusSources, BadSourcesNameTheFieldAndPath) {
  TempDir dir;
  write_text(dir / "only.bin", "x");
  EXPECT_NE(user_error([&] {
              resolve_sources({(dir / "missing.txt").string()}, "data.val");
            }).find("data.val: " + (dir / "missing.txt").string() + " does not exist"),
            std::string::npos);
  EXPECT_NE(
      user_error([&] { resolve_sources({dir.path().string()}, "data.train"); }).find("no .txt or .jsonl"),
      std::string::npos);
  EXPECT_NE(
      user_error([&] { resolve_sources({(dir / "*.none").string()}, "data.train"); }).find("no file matches"),
      std::string::npos);
  EXPECT_NE(user_error([&] { resolve_sources({}, "data.train"); }).find("no sources"), std::string::npos);
}

TEST(CorpusDocuments, BadTextIsAUserError) {
  EXPECT_NE(user_error([] { split_documents("e.txt", "", false); }).find("e.txt is empty"),
            std::string::npos);
  EXPECT_NE(user_error([] {
              split_documents("b.txt", std::string_view("ab\0cd", 5), false);
            }).find("looks binary (NUL byte at offset 2)"),
            std::string::npos);
  EXPECT_NE(user_error([] {
              split_documents("u.txt", "ok \xC3\x28", false);
            }).find("not valid UTF-8 (byte offset 3)"),
            std::string::npos);
  EXPECT_NE(
      user_error([] { split_documents("j.jsonl", "{\"text\": \"a\"}\n[1, 2]\n", false); }).find("j.jsonl:2:"),
      std::string::npos);
  EXPECT_NE(user_error([] { split_documents("j.jsonl", "\n  \n", false); }).find("no documents"),
            std::string::npos);
  EXPECT_NE(user_error([] { split_documents("p.txt", "\n \n", true); }).find("only blank lines"),
            std::string::npos);
}

TEST(CorpusDocuments, WholeFilesJsonLinesAndParagraphs) {
  EXPECT_EQ(documents("a.txt", "\xEF\xBB\xBFone\n\ntwo\n", false),
            (std::vector<std::string_view>{"one\n\ntwo\n"}));
  EXPECT_EQ(documents("a.txt", "p1 a\r\np1 b\r\n \r\n\n\np2\n", true),
            (std::vector<std::string_view>{"p1 a\r\np1 b", "p2"}));
  EXPECT_EQ(
      documents("d.jsonl", "{\"text\": \"x\\ny\"}\n\n{\"text\": \"\", \"id\": 2}\n{\"text\": \"z\"}", false),
      (std::vector<std::string_view>{"x\ny", "z"}));
  EXPECT_EQ(documents("d.jsonl", "{\"text\": \"x\\n\\ny\"}\n", true),
            (std::vector<std::string_view>{"x", "y"}));
}

}  // namespace
}  // namespace ropelm
