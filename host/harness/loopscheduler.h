// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

// LoopScheduler moved to the core (util/loopscheduler.h); this name stays for existing users.
#include "util/loopscheduler.h"

namespace tessera::harness {
using tessera::LoopScheduler;
}
