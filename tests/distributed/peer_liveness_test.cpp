// Telling a live peer process from one that has exited (reaped or still a zombie).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "distributed/peer_liveness.h"

namespace ropelm {
namespace {

TEST(PeerLiveness, IdentityRoundTrips) {
  ProcessIdentity me = this_process();
  ProcessIdentity decoded = ProcessIdentity::decode(me.encode());
  EXPECT_EQ(decoded.host, me.host);
  EXPECT_EQ(decoded.pid, ::getpid());
  EXPECT_EQ(ProcessIdentity::decode("garbage").pid, 0);
}

TEST(PeerLiveness, ThisProcessIsAlive) {
  EXPECT_FALSE(process_gone(this_process()));
}

TEST(PeerLiveness, ExitedChildIsGoneBeforeAndAfterReaping) {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ProcessIdentity identity{this_process().host, static_cast<long>(child)};
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, child, &info, WEXITED | WNOWAIT), 0);  // exited, still a zombie
  EXPECT_TRUE(process_gone(identity));
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  EXPECT_TRUE(process_gone(identity));
}

TEST(PeerLiveness, OtherHostIsUnknowable) {
  EXPECT_FALSE(process_gone({"some-other-host", 1}));
}

}  // namespace
}  // namespace ropelm
