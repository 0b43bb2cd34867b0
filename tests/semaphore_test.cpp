#include <doctest/doctest.h>

#include <pingpong/semaphore.hpp>

#include <atomic>
#include <chrono>
#include <thread>

using namespace std::chrono_literals;

TEST_CASE("wake_semaphore: a post before the wait is not lost and costs no syscall") {
  pingpong::wake_semaphore sem;
  CHECK_FALSE(sem.post());  // nobody asleep: no kernel entry
  CHECK(sem.try_wait());
  CHECK_FALSE(sem.try_wait());  // posts do not accumulate
  CHECK(sem.syscalls() == 0);
}

TEST_CASE("wake_semaphore: posts collapse into one pending wake") {
  pingpong::wake_semaphore sem;
  sem.post();
  sem.post();
  CHECK(sem.wait_for(1ms));
  CHECK_FALSE(sem.try_wait());
}

TEST_CASE("wake_semaphore: wait times out without a post") {
  pingpong::wake_semaphore sem;
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(sem.wait_for(15ms));
  CHECK(std::chrono::steady_clock::now() - start >= 15ms);
  CHECK_FALSE(sem.post());  // the timed-out waiter withdrew: no syscall for a later post
}

TEST_CASE("wake_semaphore: a sleeping waiter is woken by one futex wake") {
  pingpong::wake_semaphore sem;
  std::atomic<bool> woke{false};
  std::thread waiter([&] { woke = sem.wait_for(10s); });
  // Post until the post finds the waiter asleep (it enters the kernel then).
  while (!sem.post()) {
    if (woke) break;  // it consumed an earlier post before sleeping
    sem.try_wait();   // take the post back so the waiter goes to sleep
    std::this_thread::sleep_for(1ms);
  }
  waiter.join();
  CHECK(woke);
}

TEST_CASE("wake_semaphore: ping-pong between two threads loses no wake") {
  pingpong::wake_semaphore to_b, to_a;
  constexpr int rounds = 20000;
  std::thread b([&] {
    for (int i = 0; i < rounds; ++i) {
      REQUIRE(to_b.wait_for(10s));
      to_a.post();
    }
  });
  for (int i = 0; i < rounds; ++i) {
    to_b.post();
    REQUIRE(to_a.wait_for(10s));
  }
  b.join();
}
