#!/usr/bin/env python3
"""Checks that no test suite silently vanished from a ctest run.

    check_suites.py BUILD_DIR [JUNIT_XML]

Every koe_<stage>_test executable must have registered at least one test, the tests that drive
the koe executable (golden outputs, the CLI parts of the report suite, the hardening suite, the
crash test of the output set) must be registered, and, given the JUnit file of the run (ctest
--output-junit), no test may have been skipped except those listed in ALLOWED_SKIPS with the
reason they may be.
"""
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

STAGES = ["types", "io", "io_encoding", "normalize", "terms", "tokenize", "dictionary", "vectorize",
          "cluster", "describe", "pipeline", "score", "score_parts", "report", "hardening",
          "options", "model", "model_file", "detail", "assert", "cli", "output_set",
          "assign", "scenario", "refit", "trends", "lineage",
          "model_trends", "kpis", "owners", "followups", "stages", "mpi"]
REQUIRED_TESTS = [
    "Golden.OutputFilesMatchTheCheckedInCopies",
    "Report.CliRunOnTheSampleWritesEveryFile",
    "Hardening.UnreadableFileIsAnIoFailure",
    "Cli.ControlCharactersNeverReachTheTerminal",
    "OutputSet.KillingTheWriterAtAnyStepNeverLeavesAMixedSetThatIsAccepted",
    "YearSample.ScriptWritesTheCommittedFiles",
    "YearSample.EventsShowInTheMonthlyCounts",
]
# name pattern -> why skipping it is not a lost suite
ALLOWED_SKIPS = {
    # The shared corpora live outside the repository; a checkout without them still tests all.
    r"Pipeline\..*Shared.*|Pipeline\..*Corpora.*": "the shared corpora are absent",
    # ulimit -v cannot run under a sanitizer, which reserves terabytes of address space.
    r"Hardening\.CorpusThatDoesNotFitInMemoryGetsACleanMessage": "sanitizer build",
    # Dictionaries install-deps.sh does not install (UniDic, which it does, must not skip): each
    # runs where its package, or a copy under $KOE_TEST_DICTIONARIES, is present.
    r"Dictionary\.(NaistJdic|Jumandic)TermsAreItsBaseForms": "that dictionary is not installed",
    r"Dictionary\.EucJpDictionaryIsRefusedByName": "mecab-ipadic (EUC-JP) is not installed",
}


def main():
    build = sys.argv[1]
    listing = json.loads(subprocess.run(["ctest", "--show-only=json-v1"], cwd=build, check=True,
                                        capture_output=True, text=True).stdout)
    per_exe = {}
    names = set()
    for t in listing.get("tests", []):
        names.add(t["name"])
        command = t.get("command") or []
        if command:
            exe = command[0].rsplit("/", 1)[-1]
            per_exe[exe] = per_exe.get(exe, 0) + 1
    problems = []
    for stage in STAGES:
        if per_exe.get(f"koe_{stage}_test", 0) == 0:
            problems.append(f"koe_{stage}_test registered no test")
    for name in REQUIRED_TESTS:
        if name not in names:
            problems.append(f"{name} is not registered")
    if len(sys.argv) > 2:
        for case in ET.parse(sys.argv[2]).getroot().iter("testcase"):
            # ctest marks a GTEST_SKIP "notrun" and a DISABLED_ test "disabled".
            if case.find("skipped") is None and case.get("status") not in ("notrun", "disabled"):
                continue
            name = case.get("name", "").replace("DISABLED_", "")
            if not any(re.fullmatch(p, name) for p in ALLOWED_SKIPS):
                problems.append(f"{name} was skipped")
    for p in problems:
        print(f"check_suites: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"check_suites: {len(names)} tests from {len(per_exe)} executables, none missing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
