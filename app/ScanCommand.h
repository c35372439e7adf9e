#pragma once

namespace legba {

// `legba-admin --scan PATH...`: the leak scanner for scripts and CI, without a display (a
// QCoreApplication, no window). Matches what it finds against the keys of the organization
// given by LEGBA_BASE_URL, LEGBA_ORG_UUID and LEGBA_API_TOKEN when they are set, else of the
// current profile (its key from the keychain). Prints each finding masked, one per line,
// and returns 1 when a found key is an active key of that organization, 0 when nothing live
// was found, 2 on errors. Returns -1 when the command line does not ask for a scan.
int runScanCommandIfAsked(int argc, char** argv);

} // namespace legba
