#pragma once
// `crosskey rehearse [flags] SCENARIO...`: runs rehearsal scenarios (files, or directories of
// them) against a running emulator (--url) or one started in this process, prints each
// timeline and writes it as JSON. Exit status 0 when every expectation held, 1 when one
// failed, 2 on bad usage.
namespace crosskey::server {

int RunRehearse(int argc, char** argv);

}  // namespace crosskey::server
