"""JUnit XML: one test case per file, failing when the file has errors. XML 1.0 cannot hold
control characters: paths and messages are escaped (itsmctl.text.printable)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from itsmctl.diagnostics import Diagnostic, Result, Severity
from itsmctl.text import printable


def render(result: Result, color: bool = False) -> str:
    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in result.sorted():
        if not d.suppressed:
            by_file[d.path].append(d)
    files = sorted(set(result.files) | set(by_file))
    failed = [f for f in files if any(d.severity is Severity.ERROR for d in by_file[f])]
    suites = ET.Element("testsuites", name="itsmctl", tests=str(len(files)),
                        failures=str(len(failed)), errors="0")
    suite = ET.SubElement(suites, "testsuite", name="itsmctl check", tests=str(len(files)),
                          failures=str(len(failed)), errors="0", skipped="0")
    for path in files:
        case = ET.SubElement(suite, "testcase", classname="itsmctl.check", name=printable(path))
        found = by_file[path]
        errors = [d for d in found if d.severity is Severity.ERROR]
        if errors:
            failure = ET.SubElement(case, "failure", type=errors[0].rule,
                                    message=printable(f"{len(errors)} error(s): "
                                                      f"{errors[0].message}"))
            failure.text = "\n".join(d.format() for d in errors)
        others = [d for d in found if d.severity is not Severity.ERROR]
        if others:
            ET.SubElement(case, "system-out").text = "\n".join(d.format() for d in others)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"
