/* pingpong swap protocol (v2: per-side counters, flush epoch) — a Promela
 * model of handoff.hpp, semaphore.hpp and
 * the parts of double_buffer.hpp that drive them (issue "The protocol,
 * checked").  Run by tests/model/run_spin.sh; not installed (CMake installs
 * only *.hpp).  One file, every policy, selected with -D:
 *
 *   spin -a -DLOCKFREE -DSEMAPHORE -DFLUSH -DABANDON -DCANCEL -DTIMEOUTS handoff.pml
 *   gcc -O2 -DSAFETY -o pan pan.c && ./pan               safety: assertions, end states
 *   spin -a -DLOCKFREE -DSEMAPHORE -DFLUSH -DABANDON -DFAIR_LOCK handoff.pml
 *   gcc -O2 -DNP -o pan pan.c && ./pan -l -f             liveness: non-progress cycles
 *   spin -t -p -g -DLOCKFREE ... handoff.pml             replay a counterexample
 *
 * ---------------------------------------------------------------------------
 * Selection (one of each group; defaults LOCKFREE, SEMAPHORE)
 *   LOCKFREE    `lockfree`: the counters are atomics, each stored by its one
 *               owner (no RMW), exactly as the C++ does
 *   LOCKED      handoff_impl<std_lock or pi_lock, false>: the policies
 *               `mutex` and `mutex_pi` (priority inheritance is scheduling,
 *               not protocol: one model covers both)
 *   TRYLOCK     locked_handoff<std_lock, true>: the reader only try_lock()s
 *   SEMAPHORE   wake_kind::semaphore: `lockfree` posts its futex
 *               wake_semaphore; the locked policies signal their condvar
 *   POLL        wake_kind::poll: the reader never wakes the producer; the
 *               producer re-checks after poll_sleep()
 * Scenario
 *   N=<n>       halves the producer commits (default 4); the last is end_of_stream
 *   FLUSH       the producer may call request_flush() between two commits
 *               (FLUSHES=<n> times, default 1)
 *   ABANDON     the producer may drop a claimed, filled slot
 *               (write_slot::reset() -> abandon(); ABANDONS=<n> times, default 1)
 *   CANCEL      a control thread calls cancel_writer() once, at any time; the
 *               device may stop (no more callbacks) at any time; a cancelled
 *               producer thread exits.  Without TIMEOUTS, a producer asleep
 *               forever is then an invalid end state.
 *   TIMEOUTS    finite deadlines: acquire_until() may time out, the futex
 *               sleep and the condvar wait may end early (ETIMEDOUT, EINTR,
 *               spurious wake-ups), the poll sleep may end at any time.
 *               Safety runs only: a time-out is an always-enabled way out of
 *               every sleep, so it would hide a lost wake-up from the
 *               end-state and non-progress checks (not from property 4).
 *   FAIR_LOCK   liveness runs: the mutex hands itself to a blocked locker on
 *               unlock (see "Time and fairness")
 *   NO_WAKE_INVARIANT  drops property 4 from the monitor, to show that the
 *               non-progress and end-state checks catch a lost wake-up alone
 * Deliberate bugs (each must make a run fail; tests/model/run_spin.sh checks)
 *   BUG_EARLY_RELEASE   the reader stores `released` before its last copy
 *                       from the half (lockfree): the writer refills a half
 *                       still being played
 *   BUG_LATE_FILL       (alias BUG_RELAXED_PUBLISH) the producer writes the
 *                       frames after publish(): the sequentially consistent
 *                       image of a relaxed publish, whose frame stores may
 *                       become visible after the state bits
 *   BUG_CLAIM_IN_FLUSH  the writer ignores a pending flush (try_acquire,
 *                       try_claim, wait): its claim can fall between the
 *                       reader_apply_flush() load and store
 *   BUG_LOST_WAKEUP     the futex sleep does not compare the word with
 *                       `sleeping` in the kernel: a post between the CAS
 *                       empty->sleeping and the sleep is lost
 *   BUG_POST_EARLY      the reader wakes the producer (post / notify_one)
 *                       before reader_swap() releases the half
 *   BUG_CANCEL_NO_LOCK  locked wake_writer() notifies without the empty
 *                       lock()/unlock(): the cancel can fall between the
 *                       producer's cancel check and its condvar wait
 *
 * ---------------------------------------------------------------------------
 * What the model is (and is not)
 *
 * Promela is sequentially consistent: every statement is one indivisible
 * step and sees every earlier step of every process.  The model checks the
 * protocol's interleavings — which RMW can land between which load and which
 * other RMW, whether the two sides' bit changes commute, whether a wake-up
 * can fall into a gap — and NOT the C++ memory orders.  Where a comment says
 * "fetch_xor(release)" the model does an SC read-modify-write; that
 * release/acquire suffices (the frame stores are visible once `ready` is;
 * the reader's last reads are done once `free` is; a relaxed op is enough
 * where the comment says so) is argued in the C++ comments and exercised by
 * the TSan build, not proven here.  The memory-order comment next to each
 * step names the C++ operation, and its order, that the step stands for
 * (the same release stores and acquire loads in every policy; under a lock
 * they are redundant).  The one reordering the model can show is its SC image: the
 * frames written after the publish (BUG_LATE_FILL).  Races between a
 * lock-free load() and data written under the lock (available(), observers)
 * are out of the model's reach: that is TSan's job.
 *
 * Each C++ load of the other side's counter is its own step, separate from
 * the store that follows, as in the code (there is no RMW at all: each
 * counter has one writer).  A side's loads of its own counters are folded
 * into neighbouring steps (nobody else stores them).  Ghost variables (no
 * C++ counterpart) change in the same indivisible step as the operation
 * they describe.
 *
 * Correspondences (C++ -> model)
 *   w_.published / r_.released          pub / rel (the k-th half published is half k % 2)
 *   r_.taken                            tak
 *   f_.flush_req / f_.flush_ack         freq / fack; flush_pending()  PENDING
 *   wp_.released_seen / rp_.published_seen   relc / pubc (the cached copies)
 *   claimable()                         CLAIM_CHECK (the writer's view), CLAIMABLE (the truth)
 *   wake_semaphore::state_              sem (EMPTY/POSTED/SLEEPING)
 *   the kernel's futex wait queue       fq (the producer is queued in FUTEX_WAIT)
 *   the handoff's mutex                 lk (0, or the owner PROD/READ/CTRL)
 *   its condition variable              cvw (the producer is blocked in it)
 *   double_buffer::writer_cancel_       cancel
 *   half_data(h), meta_[h].end          data[h] (a sequence number standing
 *                                       for the frames), endf[h]
 *   writer_.next / flush_outstanding    wnext / flush_out (holding: implicit)
 *   reader_.front / next / front_end / ended   front / rnext / fend / ended
 *   acquire_until / try_acquire         ACQUIRE / TRY_ACQUIRE
 *   commit / abandon / request_flush    FILL + PUBLISH / ABANDON_HALF / REQUEST_FLUSH
 *   handoff_.try_claim / wait           TRY_CLAIM / WAIT (poll_sleep with POLL)
 *   wake_semaphore post / wait_until    SEM_POST / SEM_WAIT_UNTIL (+ FUTEX_WAIT)
 *   read_impl                           the reader process body
 *   handoff_.reader_swap / reader_apply_flush   READER_SWAP / APPLY_FLUSH
 *   reader_wake / notify                READER_WAKE
 *   cancel_writer / wake_writer         the control process / WAKE_WRITER
 *
 * One state machine: handoff.hpp's detail::handoff_impl is one template for
 * every policy; the locked ones run the same steps under the lock (WLOCK /
 * RLOCK below), the lockfree one without.
 *
 * Properties
 *   1. Ownership (monitor, every reachable state): released <= taken <=
 *      published <= released + 2; the reader holds half h exactly when the
 *      counters say so (taken > released, h = (taken-1) % 2: take .. release
 *      or flush); the producer holds only half published % 2, and only while
 *      published - released < 2; never both the same half.
 *   2. Each store asserts what the C++ assumes: a claim is of a half the
 *      reader does not hold; a take is of half taken % 2, not being filled;
 *      "the writer does not publish while the flush is pending"
 *      (reader_apply_flush asserts `published` did not move between its
 *      load and its acknowledgement).
 *   3. Data.  Between claim and publish the producer writes data[h] = its
 *      sequence number (1, 2, ...) and endf[h], in two steps with writing[h]
 *      set in between.  At each take the reader reads them (the meta_[half]
 *      read after reader_swap) and asserts that the producer is not writing
 *      and that the number is the next one: last+1, or, if it applied a
 *      flush since its last take, flush_floor+1, flush_floor being the
 *      producer's commit count when the flush request took effect.  So the
 *      reader plays 1, 2, 3, ... in order; a flush skips exactly the halves
 *      published before the request and not yet taken; nothing is played
 *      twice, out of order, or before it was published; nothing published
 *      after a flush request is dropped.  Each copy from the front half
 *      re-asserts the number (the producer did not refill a playing half).
 *      Having played the end half, the reader asserts it was number N
 *      (nothing lost at the end).
 *   4. Prompt wake-up (monitor; SEMAPHORE): the producer is never asleep
 *      (queued in FUTEX_WAIT / blocked in the condvar) while its next half is
 *      claimable or cancel is set, unless a wake is on its way: the reader
 *      is between the change that freed the half and the end of its
 *      reader_wake() (ghost `owed`), cancel_writer() has not yet returned
 *      (`owed_c`), or a poster saw `sleeping` and has not yet made its
 *      FUTEX_WAKE (`waking`).  This is "no lost wake-up" as an invariant; it
 *      also catches a wake that comes only with the next half (BUG_POST_EARLY:
 *      late by a whole half, an underrun, but not lost).
 *   5. No lost wake-up, as progress (-DNP, pan -l -f, weak fairness): every
 *      infinite run passes a commit (progress_commit).  A producer asleep on
 *      the futex/condvar is not enabled, so a wake-up that never comes leaves
 *      a fair cycle of empty callbacks: a non-progress cycle.  Runs end (no
 *      cycle) once the producer committed N halves and the reader played
 *      the end.
 *   6. Cancel (-DCANCEL, no TIMEOUTS, -DSAFETY): once the device may have
 *      stopped, only cancel_writer() can wake a sleeping producer; a
 *      producer asleep forever is an invalid end state.
 *
 * Time and fairness.  The model has no clock.
 *   - The poll sleep lasts "until the reader's next callback" (poll_sleep
 *     sleeps until the front half is due to run out, at least poll_floor),
 *     or, under TIMEOUTS, any time.
 *   - FAIR_LOCK: without time, weak fairness lets one side's back-to-back
 *     critical sections starve the other of the mutex forever (a blocked
 *     locker is not continuously enabled).  Real callbacks are a period
 *     apart and the critical sections a few instructions, so liveness runs
 *     use a handoff mutex; safety runs use the barging one (all interleavings).
 *   - TRYLOCK + POLL: the reader's refused try_lock is labelled `progress`.
 *     An adversarial schedule can put every callback's try_lock inside the
 *     producer's claim section — a counted underrun the policy accepts by
 *     design; the model makes no starvation claim for trylock.  The label
 *     cannot hide a lost wake-up: try_lock fails only while the producer
 *     holds the lock, i.e. is awake.  (With the condvar wake no label is
 *     needed: the model finds no such cycle.)
 *
 * Not modelled: frame counts and positions (a half is played by one or more
 * callbacks; a callback that only copies from the middle of the front half is
 * a pure read and is left out), swaps_left, telemetry and the event log,
 * resume_writer(), the poll sleep's length estimate (front_end_position),
 * the futex sleep's 1 h cap (it only adds a time-out, see TIMEOUTS), the
 * non-Linux condvar fallback of wake_semaphore, the bounded spin before the
 * futex sleep (spin_for_free_half: loads only, then the same try_acquire), std::mutex::try_lock's
 * permitted spurious failure, priority inheritance, the role guards and
 * PINGPONG_EXPECT misuse checks (the model uses the API correctly: one
 * producer, one reader, no request_flush() while a slot is held).
 */

#if defined(LOCKFREE) + defined(LOCKED) + defined(TRYLOCK) > 1
#error "choose one of LOCKFREE, LOCKED, TRYLOCK"
#endif
#if !defined(LOCKED) && !defined(TRYLOCK) && !defined(LOCKFREE)
#define LOCKFREE
#endif
#if defined(TRYLOCK)
#define LOCKED_FAMILY
#endif
#if defined(LOCKED)
#define LOCKED_FAMILY
#endif
#if defined(SEMAPHORE) && defined(POLL)
#error "choose one of SEMAPHORE, POLL"
#endif
#if !defined(POLL) && !defined(SEMAPHORE)
#define SEMAPHORE
#endif

#ifdef BUG_RELAXED_PUBLISH
#define BUG_LATE_FILL
#endif

#ifndef N
#define N 4
#endif
#ifndef FLUSHES
#define FLUSHES 1
#endif
#ifndef ABANDONS
#define ABANDONS 1
#endif

/* --- the counters (handoff.hpp, detail::handoff_impl) --------------------- */
/* The k-th half published is half k % 2.  Counters stay small: at most N
 * commits, so a byte holds them. */
#define PENDING (freq != fack)                    /* flush_pending(): flush_req != flush_ack */
#define CLAIMABLE (!PENDING && pub - rel < 2)      /* claimable(), on the true counters */
#ifdef BUG_CLAIM_IN_FLUSH
#define WRITER_PENDING false                       /* BUG: ignores a pending flush */
#else
#define WRITER_PENDING PENDING
#endif

/* --- wake_semaphore::state_ values --------------------------------------- */
#define EMPTY    0
#define POSTED   1
#define SLEEPING 2

#define NONE 2                      /* reader_.front == -1 */
#define PROD 1                      /* lock owners */
#define READ 2
#define CTRL 3

/* --- shared state ---------------------------------------------------------- */
byte pub = 0;                       /* w_.published: halves published (the writer stores it) */
byte rel = 0;                       /* r_.released: halves given back (the reader stores it) */
byte tak = 0;                       /* rp_.taken: halves taken (the reader's; global for the monitor) */
byte freq = 0;                      /* f_.flush_req: flush requests (the writer stores it) */
byte fack = 0;                      /* f_.flush_ack: flush requests applied (the reader stores it) */
bool cancel = false;                /* double_buffer::writer_cancel_ */
byte sem = EMPTY;                   /* wake_semaphore::state_ (lockfree) */
bool fq = false;                    /* the producer is queued in FUTEX_WAIT */
byte lk = 0;                        /* locked_handoff::lock_ (0 = unlocked, else owner) */
bool cvw = false;                   /* the producer is blocked in the condvar */
byte data[2];                       /* half_data(h): the frames, as a sequence number */
bool endf[2];                       /* meta_[h].end */

byte wnext = 0;                     /* writer_.next (producer-owned; global for the monitor) */

/* --- ghosts (no C++ counterpart) ------------------------------------------ */
bool waking = false;                /* a poster saw `sleeping` and has not yet made its FUTEX_WAKE */
bool owed = false;                  /* the reader freed a half (or applied a flush) and
                                       has not yet reached the end of its reader_wake() */
bool owed_c = false;                /* cancel_writer() stored cancel and has not yet
                                       returned from wake_writer() */
bool wown[2];                       /* the producer holds half h (claim .. publish/abandon) */
bool rown[2];                       /* the reader holds half h (take .. release/flush) */
bool writing[2];                    /* the producer is writing data[h] */
byte flush_floor = 0;               /* commits before the last effective request_flush */
bool poll_nap = false;              /* the producer is in poll_sleep (no-TIMEOUTS model) */
bool reader_gone = false;           /* no more callbacks */

/* ===========================================================================
 * Locks and the condition variable (locked policies)
 * ======================================================================== */
/* FAIR_LOCK (liveness runs): a handoff mutex — unlock() gives the lock to a
 * blocked locker.  The model has no time, and weak fairness alone would let
 * one side's back-to-back critical sections starve the other of the mutex
 * (a blocked locker is not continuously enabled); in reality the callbacks
 * are a period apart and the critical sections a few instructions long.
 * Safety runs use the barging mutex, which allows every interleaving. */
bool lq[4];                         /* lq[who]: blocked in lock() (FAIR_LOCK) */
#ifdef FAIR_LOCK
#define RELEASE_LOCK \
  if \
  :: lq[PROD] -> lk = PROD; lq[PROD] = false \
  :: lq[READ] -> lk = READ; lq[READ] = false \
  :: lq[CTRL] -> lk = CTRL; lq[CTRL] = false \
  :: else -> lk = 0 \
  fi
inline LOCK(who) {                  /* lock_.lock() */
  atomic { if :: lk == 0 -> lk = who :: else -> lq[who] = true fi };
  lk == who
}
#else
#define RELEASE_LOCK lk = 0
inline LOCK(who) {                  /* lock_.lock() */
  atomic { lk == 0 -> lk = who }
}
#endif
inline UNLOCK(who) {                /* lock_.unlock() */
  atomic { assert(lk == who); RELEASE_LOCK }
}
inline TRY_LOCK(who, ok) {          /* lock_.try_lock(): fails only if held */
  atomic { if :: lk == 0 -> lk = who; ok = true :: else -> ok = false fi }
}
inline CV_WAIT() {                  /* lock_.wait_until(): pthread_cond_(timed)wait / cond_.wait(_until) */
  atomic { assert(lk == PROD); RELEASE_LOCK; cvw = true };  /* unlock and block, atomically */
#ifdef TIMEOUTS
  if
  :: !cvw -> skip                   /* notified */
  :: cvw -> cvw = false             /* deadline passed, or a spurious wake-up */
  fi;
#else
  !cvw;                             /* until notify_one() */
#endif
  LOCK(PROD)                        /* re-locks before returning */
}
inline CV_NOTIFY() {                /* lock_.notify_one(): wakes the waiter if there is one */
  cvw = false
}

/* ===========================================================================
 * wake_semaphore (lockfree policy)
 * ======================================================================== */
inline SEM_POST(prev) {             /* wake_semaphore::post() */
  d_step {                          /* state_.exchange(posted, release) */
    prev = sem; sem = POSTED;
    if :: prev == SLEEPING -> waking = true :: else -> skip fi
  };
  if
  :: prev == SLEEPING ->            /* wake_one(): FUTEX_WAKE, 1 waiter (if queued) */
     atomic { fq = false; waking = false }
  :: else -> skip
  fi;
  prev = 0
}
inline FUTEX_WAIT() {               /* sleep_while_sleeping(): FUTEX_WAIT_PRIVATE(state_, sleeping) */
#ifdef BUG_LOST_WAKEUP
  fq = true;                        /* BUG: sleeps without comparing the word */
#else
  /* the kernel compares state_ with `sleeping` and queues the caller in one
   * step (under the futex hash-bucket lock); EAGAIN if it differs */
  atomic { if :: sem == SLEEPING -> fq = true :: else -> skip fi };
#endif
#ifdef TIMEOUTS
  if
  :: !fq -> skip                    /* woken (or EAGAIN) */
  :: fq -> fq = false               /* ETIMEDOUT (the 1 h cap / deadline) or EINTR */
  fi
#else
  !fq                               /* woken by FUTEX_WAKE */
#endif
}
inline SEM_WAIT_UNTIL() {           /* wake_semaphore::wait_until(deadline) */
  do
  :: d_step { ok = (sem == POSTED); if :: ok -> sem = EMPTY :: else -> skip fi };
                                    /* try_wait(): CAS posted->empty (acquire) */
     if
     :: ok -> ok = false; break     /* return true */
     :: else ->
        d_step { exp = sem; if :: exp == EMPTY -> sem = SLEEPING :: else -> skip fi };
                                    /* CAS empty->sleeping (relaxed); on failure expected = state_ */
        if
        :: exp == POSTED -> exp = 0 /* a post arrived: continue (consume it on the next turn) */
        :: else ->
           exp = 0;
#ifdef TIMEOUTS
           if
           :: true ->               /* now >= deadline */
              d_step { if :: sem == SLEEPING -> sem = EMPTY :: else -> skip fi };
                                    /* CAS sleeping->empty (relaxed): withdraw the announcement */
              d_step { if :: sem == POSTED -> sem = EMPTY :: else -> skip fi };
                                    /* return try_wait() */
              break
           :: true -> FUTEX_WAIT()
           fi
#else
           FUTEX_WAIT()             /* deadline max: sleep (1 h cap not modelled) */
#endif
        fi
     fi
  od
}

/* ===========================================================================
 * The producer's operations (handoff_impl, writer side).  LOCKED_FAMILY: the
 * same steps under the lock (the C++ is one template; only the guard differs).
 * ======================================================================== */
#ifdef LOCKED_FAMILY
#define WLOCK LOCK(PROD)
#define WUNLOCK UNLOCK(PROD)
#else
#define WLOCK skip
#define WUNLOCK skip
#endif

/* claimable(): flush_pending() (loads), then the cached copy of `released`,
 * refreshed with an acquire load only when it says "full". */
inline CLAIM_CHECK(ok) {
  ok = !WRITER_PENDING;             /* flush_req (own, relaxed) != flush_ack.load(acquire) */
  if
  :: ok ->
     if
     :: pub - relc < 2 -> skip      /* the cached copy says a half is free */
     :: else ->
        relc = rel;                 /* released_seen = released.load(acquire): pairs with the
                                       release stores in reader_swap / reader_apply_flush */
        ok = (pub - relc < 2)
     fi
  :: else -> skip
  fi
}
inline TRY_CLAIM(h, got) {          /* handoff_impl::try_claim(writer_half()) */
  WLOCK;
  CLAIM_CHECK(ok);
  if
  :: ok ->
     atomic {                       /* filling.store(true, relaxed): observers only */
       assert(h == pub % 2);
       assert(!rown[h]);            /* the reader does not hold the half we will fill */
       wown[h] = true
     };
     ok = false; got = true
  :: else -> got = false
  fi;
  WUNLOCK
}
inline PUBLISH(h) {                 /* handoff_impl::publish: published.store(+1, release) */
  WLOCK;
  atomic { assert(wown[h] && h == pub % 2); pub = pub + 1; wown[h] = false };
                                    /* the frames (FILL) were written before: release publishes them */
  WUNLOCK
}
inline ABANDON_HALF(h) {            /* handoff_impl::abandon: nothing shared changes */
  WLOCK;
  atomic { assert(wown[h]); wown[h] = false };
  WUNLOCK
}
inline REQUEST_FLUSH() {            /* handoff_impl::request_flush */
  WLOCK;
  if
  :: PENDING -> skip                /* if (flush_pending()) return; */
  :: else -> atomic { freq = freq + 1; flush_floor = seq }  /* flush_req.store(+1, release) */
  fi;
  WUNLOCK
}

/* The producer's sleep: handoff_.wait() with the semaphore wake, poll_sleep()
 * with the poll wake (double_buffer::acquire_until). */
#if defined(POLL)
inline WAIT(h) {                    /* double_buffer::poll_sleep */
#ifdef TIMEOUTS
  skip                              /* sleep_until(min(deadline, now + wait)): any length */
#else
  poll_nap = true;                  /* sleeps until the front half is due to run out: */
  (!poll_nap || reader_gone)        /* modelled as "until the reader's next callback" */
#endif
}
#elif defined(LOCKFREE)
inline WAIT(h) {                    /* handoff_impl::wait (lockfree: the futex semaphore) */
  CLAIM_CHECK(ok);                  /* claimable() */
  if
  :: ok -> ok = false               /* return claimable() */
  :: else ->
     if
     :: cancel -> skip              /* || cancel.load(acquire): return claimable() */
     :: else -> SEM_WAIT_UNTIL()    /* wake_.wait_until(deadline) */
     fi
  fi                                /* return claimable(): acquire_until ignores it and loops */
}
#else
inline WAIT(h) {                    /* handoff_impl::wait (locked: the condvar) */
  LOCK(PROD);                       /* std::lock_guard */
  do
  :: CLAIM_CHECK(ok);               /* claimable(), under the lock */
     if
     :: ok -> ok = false; break     /* return true */
     :: else ->
        if
        :: cancel -> break          /* cancel.load(relaxed): return false */
        :: else ->
#ifdef TIMEOUTS
           if
           :: true -> break         /* now >= deadline: return false */
           :: true -> CV_WAIT()     /* lock_.wait_until(deadline) */
           fi
#else
           CV_WAIT()                /* lock_.wait_until(max): pthread_cond_wait */
#endif
        fi
     fi
  od;
  UNLOCK(PROD)
}
#endif

/* double_buffer::try_acquire */
inline TRY_ACQUIRE(got) {
  if
  :: flush_out ->
     ok = WRITER_PENDING;           /* handoff_.flush_pending(): loads, no lock */
     if
     :: ok -> ok = false; got = false   /* return {} */
     :: else -> flush_out = false; wnext = pub % 2; TRY_CLAIM(wnext, got)
                                    /* the reader applied it; writer_.next = writer_half() */
     fi
  :: else -> wnext = pub % 2; TRY_CLAIM(wnext, got)
  fi
}

/* double_buffer::acquire_until(deadline) — deadline max (acquire()) unless TIMEOUTS */
inline ACQUIRE(got) {
  got = false;
  do
  :: cancel -> break                /* writer_cancel_.load(acquire): return {} */
  :: else ->
     TRY_ACQUIRE(got);
     if
     :: got -> break
     :: else ->
#ifdef TIMEOUTS
        if
        :: true -> break            /* clock::now() >= deadline: return {} */
        :: true -> WAIT(wnext)
        fi
#else
        WAIT(wnext)                 /* handoff_.wait(writer_.next, ...) or poll_sleep() */
#endif
     fi
  od
}

/* The frames and meta_ of half h (the caller's fill + the start of commit()). */
inline FILL(h) {
  atomic { writing[h] = true; data[h] = seq + 1; endf[h] = (seq + 1 == N) };
  writing[h] = false
}

/* ===========================================================================
 * The reader's operations (handoff_impl, reader side)
 * ======================================================================== */
#if defined(TRYLOCK)
#define RLOCK(ok) TRY_LOCK(READ, ok)
#define RUNLOCK UNLOCK(READ)
#elif defined(LOCKED)
#define RLOCK(ok) LOCK(READ); ok = true
#define RUNLOCK UNLOCK(READ)
#else
#define RLOCK(ok) ok = true
#define RUNLOCK skip
#endif

inline READER_SWAP(done, took) {    /* handoff_impl::reader_swap(front, rnext) */
  RLOCK(done);                      /* trylock: if (!try_lock()) return {false, false} */
  if
  :: done ->
     if
     :: front != NONE ->
        atomic {                    /* released.store(+1, release): our reads of the half
                                       happen-before its refill */
          assert(rel < tak && front == (tak - 1) % 2);
          rel = rel + 1; rown[front] = false; owed = true
        }
#ifdef BUG_EARLY_RELEASE
        ;                           /* BUG: the last copy from the half after its release */
        atomic { assert(!writing[front] && data[front] == cur) }
#endif
     :: else -> skip
     fi;
     /* ready(): the cached copy of `published`, refreshed (acquire) when it says "empty" */
     if
     :: tak < pubc -> took = true
     :: else -> pubc = pub; took = (tak < pubc)   /* published.load(acquire) */
     fi;
     if
     :: took ->
        atomic {                    /* taken.store(+1, relaxed): ours */
          assert(rnext == tak % 2 && !wown[rnext]);
          tak = tak + 1; rown[rnext] = true
        }
     :: else -> skip
     fi;
     RUNLOCK
  :: else -> took = false
  fi
}
inline APPLY_FLUSH(ok) {            /* handoff_impl::reader_apply_flush */
  RLOCK(ok);
  if
  :: ok ->
     p = pub;                       /* published.load(acquire) */
     pubc = p;                      /* published_seen = p */
     atomic {                       /* taken.store(p, relaxed); released.store(p, release):
                                       `taken` is read by observers only, so its store is
                                       folded into this step */
       tak = p; rel = p;
       rown[0] = false; rown[1] = false; owed = true;
       flushed_since = true; floor = flush_floor
     };
     atomic {                       /* flush_ack.store(flush_req, release) */
       assert(pub == p);            /* "the writer does not publish while the flush is pending" */
       fack = freq
     };
     p = 0;
     RUNLOCK
  :: else -> skip
  fi
}

/* double_buffer::reader_wake */
#if defined(POLL)
inline READER_WAKE() { skip }       /* config_.wake != semaphore: return */
#elif defined(LOCKFREE)
inline READER_WAKE() { SEM_POST(prev) }   /* lockfree::notify: wake_.post() */
#else
inline READER_WAKE() { CV_NOTIFY() }      /* locked_handoff::notify: notify_one(), lock not held */
#endif

/* handoff_.wake_writer() */
#if defined(LOCKFREE)
inline WAKE_WRITER() { SEM_POST(prev) }   /* lockfree::wake_writer: wake_.post() */
#else
inline WAKE_WRITER() {              /* locked_handoff::wake_writer */
#ifndef BUG_CANCEL_NO_LOCK
  LOCK(CTRL); UNLOCK(CTRL);         /* { std::lock_guard held(lock_); } */
#endif
  CV_NOTIFY()                       /* lock_.notify_one() */
}
#endif

/* The frames the reader copies from its front half (sink.copy): the producer
 * must not be writing them, and they must be the ones it took. */
inline COPY() {
  atomic { assert(!writing[front] && data[front] == cur) }
}

/* ===========================================================================
 * Processes
 * ======================================================================== */

/* The producer thread: acquire(), fill, commit() — N times. */
active proctype producer() {
  byte seq = 0;                     /* halves committed (writer_.halves_committed) */
  bool flush_out = false;           /* writer_.flush_outstanding */
  bool got = false, ok = false;
  byte relc = 0;                    /* wp_.released_seen: the cached copy of `released` */
  byte exp = 0;
  byte flushes = 0, abandons = 0;

  do
  :: seq == N -> break
  :: seq < N ->
#ifdef FLUSH
     if
     :: seq > 0 && flushes < FLUSHES ->
        flushes++;
        REQUEST_FLUSH();            /* double_buffer::request_flush (no slot held) */
        flush_out = true            /* writer_.flush_outstanding = true */
     :: true -> skip
     fi;
#endif
     ACQUIRE(got);
     if
     :: got ->                      /* writer_.holding */
        got = false;
#ifndef BUG_LATE_FILL
        FILL(wnext);
#endif
        if
#ifdef ABANDON
        :: abandons < ABANDONS ->   /* write_slot::reset() -> double_buffer::abandon */
           abandons++;
           ABANDON_HALF(wnext)      /* writer_.next unchanged */
#endif
        :: true ->                  /* write_slot::commit -> double_buffer::commit */
           PUBLISH(wnext);          /* meta_ written above, then handoff_.publish(half) */
#ifdef BUG_LATE_FILL
           FILL(wnext);             /* BUG: frames written after the publish */
#endif
           progress_commit:
           seq++;
           wnext = 1 - wnext        /* writer_.next = half ^ 1 */
        fi
     :: else ->                     /* empty slot: cancelled (or timed out) */
        if
        :: cancel -> break          /* the producer thread exits */
        :: else -> skip             /* timed out: try again */
        fi
     fi
  od
}

/* The real-time callback: read_impl() until the end of the stream has
 * played (or, with CANCEL, until the device stops). */
active proctype reader() {
  byte front = NONE;                /* reader_.front */
  byte rnext = 0;                   /* reader_.next */
  bool fend = false;                /* reader_.front_end */
  bool ended = false;               /* reader_.ended */
  bool fwait = false, done = false, took = false, ok = false;
  byte pubc = 0;                    /* rp_.published_seen: the cached copy of `published` */
  byte p = 0, prev = 0;
  byte cur = 0;                     /* ghost: number of the front half */
  byte last = 0;                    /* ghost: number of the last half taken */
  byte floor = 0;                   /* ghost: flush_floor at the last applied flush */
  bool flushed_since = false;       /* ghost: a flush was applied since the last take */

  do
  :: ended -> assert(last == N); break
#ifdef CANCEL
  :: true -> break                  /* the device stopped */
#endif
  :: !ended ->
     /* ---- double_buffer::read_impl ---- */
     poll_nap = false;              /* a callback: ends a (modelled) poll sleep */
     ok = PENDING;                  /* reader_flush_requested(): flush_req.load(acquire) */
     if
     :: ok ->
        ok = false;
        APPLY_FLUSH(ok);            /* handoff_.reader_apply_flush() */
        if
        :: ok ->
           ok = false;
           front = NONE; rnext = tak % 2; fend = false; ended = false;  /* reader_.next = reader_half() */
           READER_WAKE();
           owed = false
        :: else -> fwait = true     /* flush_waiting: trylock refused */
        fi
     :: else -> skip
     fi;
     if
     :: fwait -> fwait = false;
#if defined(TRYLOCK) && defined(POLL)
        progress_refused_flush: skip   /* see "Time and fairness" */
#endif
     :: else ->
        do                          /* for (swaps_left ...; done < frames;) */
        :: true ->
           if
           :: front != NONE -> COPY()   /* copy the rest of the front half */
           :: else -> skip
           fi;
#ifdef BUG_POST_EARLY
           if :: front != NONE -> READER_WAKE() :: else -> skip fi;  /* BUG: wake before release */
#endif
           /* double_buffer::reader_swap */
           READER_SWAP(done, took);
           if
           :: !done ->              /* trylock refused: the rest is an underrun */
#if defined(TRYLOCK) && defined(POLL)
              progress_refused_swap:   /* see "Time and fairness" */
#endif
              break
           :: else -> done = false
           fi;
           if
           :: front != NONE ->      /* release >= 0 */
              if :: fend -> ended = true :: else -> skip fi;
              front = NONE;
#ifndef BUG_POST_EARLY
              READER_WAKE();        /* reader_wake() after the release */
#endif
              owed = false
           :: else -> skip
           fi;
           if
           :: took ->               /* outcome.took */
              took = false;
              front = rnext; rnext = 1 - rnext;
              atomic {              /* reader_.front_frames/front_end = meta_[half]: after the acquire */
                assert(!writing[front]);
                cur = data[front]; fend = endf[front];
                assert(cur == (flushed_since -> floor + 1 : last + 1));
                last = cur; flushed_since = false
              };
              if
              :: true -> COPY(); break  /* the half outlasts this callback */
              :: true -> skip           /* it runs out within this callback: loop on */
              fi
           :: else -> break         /* next half not ready */
           fi
        od
     fi
  od;
  reader_gone = true
}

#ifdef CANCEL
/* Any thread: double_buffer::cancel_writer(), once, at any time. */
active proctype control() {
  byte prev = 0;
  atomic { cancel = true; owed_c = true };   /* writer_cancel_.store(true, release) */
  WAKE_WRITER();                    /* handoff_.wake_writer() */
  owed_c = false
}
#endif

/* Property 1 (and 4 below), checked in every reachable state. */
#define RHOLD(h) (tak > rel && (tak - 1) % 2 == h)        /* the reader's front half, by the counters */
#define HALF_OK(h) ((rown[h] == RHOLD(h)) && !(wown[h] && rown[h]) \
                    && (!wown[h] || (h == pub % 2 && pub - rel < 2)))
#define COUNTS_OK (rel <= tak && tak <= pub && pub - rel <= 2)
/* Property 4: the producer never sleeps on a claimable half (or with cancel
 * set) unless a wake-up is on its way. */
#if defined(POLL) || defined(NO_WAKE_INVARIANT)
#define WAKE_OK 1
#elif defined(LOCKFREE)
#define WAKE_OK (!(fq && (CLAIMABLE || cancel) && !owed && !owed_c && !waking))
#else
#define WAKE_OK (!(cvw && (CLAIMABLE || cancel) && !owed && !owed_c))
#endif
active proctype monitor() {
  end_monitor:
  atomic {
    !(HALF_OK(0) && HALF_OK(1) && COUNTS_OK && WAKE_OK) ->
      assert(HALF_OK(0)); assert(HALF_OK(1)); assert(COUNTS_OK);
      assert(WAKE_OK)
  }
}
