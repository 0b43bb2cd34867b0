// Forwarding header: the lab moved to player/lab/ and its reports to
// player/report/ (issue #15). Include those; this goes once no file uses it.
#pragma once

#include "player/lab/compare.hpp"
#include "player/lab/machine.hpp"
#include "player/lab/notes.hpp"
#include "player/lab/policy_summary.hpp"
#include "player/lab/probe.hpp"
#include "player/lab/verdicts.hpp"
#include "player/report/html.hpp"
#include "player/report/json.hpp"
#include "player/report/text.hpp"
