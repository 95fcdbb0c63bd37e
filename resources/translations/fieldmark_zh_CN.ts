<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AmendDialog</name>
    <message>
        <source>Amend {code}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not &amp;applicable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reason for the change (kept in the audit trail):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;mend</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AuditTrailDialog</name>
    <message>
        <source>Audit trail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Old</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No amendments.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no answer)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChecklistPage</name>
    <message>
        <source>Previous</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next unanswered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{unit} · {date}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer {code}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not saved: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All changes saved</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChoiceEditorWidget</name>
    <message>
        <source>Pass ({points} pts)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fail (0 pts)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{label} ({points} pts)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CountEditorWidget</name>
    <message>
        <source>A whole number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{each} points each, at most {max}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DeductionEditorWidget</name>
    <message>
        <source>−{points} each</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No deductions (full marks)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FindingDialog</name>
    <message>
        <source>Add a finding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>General</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Major</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the unit must do to rectify it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Person or department responsible</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Description:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Severity:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Requirement:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>D&amp;eadline:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Res&amp;ponsible:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FindingsPanelWidget</name>
    <message>
        <source>Open findings from earlier visits: re-check them first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Verified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not fixed: re&amp;open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Findings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add finding…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Good practices</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A good practice worth sharing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[{severity}] {description}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rectify by {deadline}, {responsible}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[{status}] {description}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reported fixed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>verified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reopened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>closed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fixed on site</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GapDialog</name>
    <message>
        <source>Gap check</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n thing(s) still missing. Press Enter on one to go there.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing is missing: every required item is answered and both signatures are in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Go to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Finalize anyway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Finalize</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not answered: {item}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Below the maximum without a reason: {item}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Photo required: {item}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signature missing: team leader</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signature missing: unit head</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>IndicatorEditorWidget</name>
    <message>
        <source>Value reported by the unit (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target: {cmp} {target}{unit}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the numbers to compute the value.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot be computed (the denominator is 0): not met.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Computed: {value}{unit}, meets the target.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Computed: {value}{unit}, below the target.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mismatch: the unit reported {reported}{unit}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ItemPaneWidget</name>
    <message>
        <source>Documents</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Site visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Interview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Questionnaire</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Spot check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not &amp;applicable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;lear answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The award is below the maximum. &amp;Reason:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What was missing or wrong (required for the gap check)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evidence from:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>N&amp;ote:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What you saw, who you talked to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Maximum {points} pts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expected evidence: {methods}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Photo required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not applicable: left out of the maximum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not answered yet · maximum {max}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Score {awarded} / {max}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Fieldmark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Views</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Units</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rubrics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Working…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New visit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Visits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Units</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Rubrics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Find</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>V&amp;isit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Back to open visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Close visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About Fieldmark</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Not synced: %n change(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Last sync: {date}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last sync: never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About Fieldmark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fieldmark {version}

Offline-first inspection checklists, live scoring and feedback.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PointsEditorWidget</name>
    <message>
        <source> pts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{lo} to {hi} points, in steps of {step}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RubricPreviewWidget</name>
    <message>
        <source>answered {value}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>target not met</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>award below {value}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rubric details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rubric id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Content hash</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Maximum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>otherwise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the unit fails</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>grade capped at {band}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bonus items, at most {points} points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bonus items</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Items</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sub-sections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{low} to {high}, in steps of {step}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>N/A allowed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>photo required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reason needed below the maximum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bonus</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rules</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Applies when</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (at most {count} times)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Numerator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denominator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RubricsPage</name>
    <message>
        <source>Rubric</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored rubrics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Section / item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Max</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sections and items</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n rubric version(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Bonus</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ScorePanelWidget</name>
    <message>
        <source>{awarded} / {maximum}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{percent}%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bonus +{bonus}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>normalised {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grade: {band}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grade: —</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Veto: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n gap(s) to close</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>No gaps</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ScoreTrendWidget</name>
    <message>
        <source>Score trend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No scored visits yet</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SectionTreeModel</name>
    <message>
        <source>Bonus points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Section / item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>N/A</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SignatureDialog</name>
    <message>
        <source>Team leader&apos;s signature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unit head&apos;s signature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;lear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Type the name instead</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Sign</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <source>Fieldmark cannot start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The data folder {folder} cannot be opened.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fieldmark is already running with this data folder. Switch to that window, or close it first and start Fieldmark again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the folder exists and can be written, or choose another one with --data-dir.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TodayPage</name>
    <message>
        <source>Unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visit type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Campaign</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assignments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Start visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New visit without assignment…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Team</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visits in progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n assignment(s) due today</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n visit(s) in progress</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Not started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{start} – {end}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Continue visit</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UnitDetailWidget</name>
    <message>
        <source>Date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visit type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visit history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Severity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Responsible</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open rectifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show &amp;all visits of this unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a unit in the tree.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Score trend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Head: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No profile numbers recorded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No open rectifications.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UnitsPage</name>
    <message>
        <source>Filter by unit name or code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Administrative areas and units</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VisitTableModel</name>
    <message>
        <source>Unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visit type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ends</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VisitsPage</name>
    <message>
        <source>Search unit name or code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All visit types</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All campaigns</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any end</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;lear filters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the unit filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unit: {unit}  ✕</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n visit(s) shown; scroll for more</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n visit(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>owner</name>
    <message>
        <source>N/A</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no answer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No deductions</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>panel</name>
    <message>
        <source>Major</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>General</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
