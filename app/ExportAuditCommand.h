#pragma once

namespace legba {

// `legba-admin --export-audit PROFILE FILE`: the organization's audit log for scripts,
// without a display (a QCoreApplication, no window).
//
// PROFILE is a saved profile's id or name, `sandbox` (the local sandbox, started in this
// process), or `env`: LEGBA_BASE_URL, LEGBA_ORG_UUID and LEGBA_API_TOKEN. A profile's
// archive (AuditArchive::pathFor(its id)) is synced first (the events newer than its newest,
// then the backfill to the server's end, progress on standard error) and kept; `env` stores
// nothing (as the app with those variables): its archive is a temporary file, filled from
// the whole server log and deleted. Then the whole archive, newest first (events beyond the
// server's retention too), goes to FILE in the format of the Audit pane's export
// (app/AuditFormat): JSON Lines when FILE ends in .jsonl or .ndjson, else CSV; `-` writes
// JSON Lines to standard output. FILE appears only complete (QSaveFile).
//
// Returns 0 on success, 2 on errors (a message on standard error names what was wrong: an
// unknown profile, no key, the server's refusal, the archive or FILE not writable), -1 when
// the command line does not ask for an export.
int runExportAuditCommandIfAsked(int argc, char** argv);

} // namespace legba
