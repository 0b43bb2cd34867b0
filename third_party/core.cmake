# Dependencies of the header-only core (also used by pingpongConfig.cmake).
#   moodycamel ConcurrentQueue — Debian libconcurrentqueue-dev (1.0.3), BSD-2 / Boost
#   Threads                    — the platform's pthreads
find_package(Threads REQUIRED)
find_path(PINGPONG_CONCURRENTQUEUE_INCLUDE concurrentqueue/concurrentqueue.h
  HINTS /usr/include /usr/local/include
  DOC "Directory holding concurrentqueue/concurrentqueue.h")
if(NOT PINGPONG_CONCURRENTQUEUE_INCLUDE)
  message(FATAL_ERROR "moodycamel ConcurrentQueue not found: install libconcurrentqueue-dev (scripts/setup.sh)")
endif()
# /usr/include is searched anyway; add other prefixes explicitly.
if(NOT PINGPONG_CONCURRENTQUEUE_INCLUDE STREQUAL "/usr/include")
  set(PINGPONG_CONCURRENTQUEUE_EXTRA_INCLUDE ${PINGPONG_CONCURRENTQUEUE_INCLUDE})
endif()
