// Moved: devices are a layer of their own now (src/player/device/).
#pragma once
#include "player/device/device.hpp"
