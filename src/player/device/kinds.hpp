// Constructors of the concrete devices (see device.hpp).
#pragma once

#include <memory>

#include "player/device/device.hpp"

namespace pingpong::player {

std::unique_ptr<device> open_portaudio_device(const device_request& request);
std::unique_ptr<device> open_sim_device(const device_request& request);
std::unique_ptr<device> open_file_device(const device_request& request);

}  // namespace pingpong::player
