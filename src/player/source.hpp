// Moved: the source is a layer of its own now (src/player/source/).
#pragma once
#include "player/source/source.hpp"
