// Forwarding header: the lab's loads moved to player/lab/ (issue #15).
// Include that; this goes once no file uses it.
#pragma once

#include "player/lab/load.hpp"
