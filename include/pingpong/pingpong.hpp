// pingpong — a real-time audio double buffer with interchangeable handoffs.
// The umbrella header: includes every primitive.
#pragma once

#include "version.hpp"
#include "detail/checks.hpp"
#include "semaphore.hpp"
#include "telemetry.hpp"
#include "handoff.hpp"
#include "double_buffer.hpp"
