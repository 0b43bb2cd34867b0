// pingpong — a real-time audio double buffer with interchangeable handoffs.
// The umbrella header: includes every primitive.
#pragma once

#include "detail/checks.hpp"
#include "double_buffer.hpp"
#include "handoff.hpp"
#include "semaphore.hpp"
#include "streamer.hpp"
#include "telemetry.hpp"
#include "version.hpp"
