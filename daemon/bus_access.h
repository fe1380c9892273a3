// Who may change things over the bus: root and members of the admin group, decided from the
// caller's credentials as the bus daemon reports them (not from anything the caller sends).
// The providers' run-as users never may, even when in the group: the CLI and every tool it
// runs have their rights.
#pragma once

#include <string>

#include <systemd/sd-bus.h>

#include "common/config.h"

namespace ch {

// 0 when the sender of `message` may make changes under `config`; otherwise a negative errno
// with `error` set to org.freedesktop.DBus.Error.AccessDenied naming `what`.
int check_admin(sd_bus_message* message, const Config& config, const char* what,
                sd_bus_error* error);

}  // namespace ch
