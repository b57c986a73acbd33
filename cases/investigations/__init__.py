"""Investigations and PSD updates (issue 13): the investigation record of a case, its criminal and misconduct
strands, the PSD representatives assigned to it and the updates they post, and the alerts that protect a
victim's confidence (no update for weeks, a new officer in charge, a long investigation, reg. 19 markers).

Part of the cases layer: it imports ppda and cases only. oversight reads it (the update form's investigation
record, closure's outcomes) through `selectors`; panels read `selectors.psd_updates_for_case`.
"""
