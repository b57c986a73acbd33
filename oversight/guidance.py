"""Guidance for senior oversight officers, printed in the allocation pack.

Written from the force's process (DESIGN.md sections 1, 4, 8 and 9). Kept here as data so the pack
template stays a layout and the words can be reviewed in one place.
"""

ROLE = [
    (
        "What you are for",
        [
            "You are the victim's senior point of contact: a chief inspector independent of the investigation, "
            "there to make sure the victim is kept informed, supported and listened to while the criminal "
            "and misconduct investigations run.",
            "Victims in these cases fear colleagues gossiping, careers ending, and a perpetrator who says "
            "\u201cwho is going to believe you?\u201d. Your independence and your discretion are what make "
            "the process trustworthy. Nothing about this case may be discussed with anyone who does not "
            "need to know; breaches of confidentiality are investigated as misconduct.",
        ],
    ),
    (
        "What you are not",
        [
            "You do not replace the officer in charge (OIC) of the investigation, and you do not investigate. "
            "You check the investigation is progressing, and you can ask the OIC to update the victim, but "
            "decisions on the investigation stay with the OIC and PSD.",
            "You are not a counsellor or an advocate: you link the victim to the people who are (see "
            "\u201cSupport routes\u201d).",
        ],
    ),
]

FIRST_72_HOURS = [
    "Accept or decline the allocation straight away. Before you accept, check you do not know the victim "
    "or the suspect, are not in their team or line-management chain, and have no other link to them. If you "
    "do, decline and say so: the case goes straight back to the coordinators, and your declaration is kept "
    "so you are not offered that person's cases again.",
    "You must contact the victim within 72 hours of allocation. The clock started when the case was "
    "allocated to you, not when you opened it. Only a completed contact (or the victim's recorded choice "
    "not to engage with you) meets the deadline: attempts are logged but do not.",
    "Reminders are sent at 24 and 48 hours without contact. At 72 hours the allocation is breached and the "
    "coordinators are alerted.",
]

SAFE_CONTACT = [
    "Check the safe-contact arrangements before every contact, not only the first. The perpetrator may "
    "share the victim's home, phone, email account or workplace.",
    "Use only the safe phone number or email recorded, at the safe times recorded.",
    "Do not leave a voicemail, send a text or write a letter unless the arrangements say it is safe.",
    "Do not contact the victim at work unless the arrangements say it is safe: colleagues may be the "
    "perpetrator's colleagues too.",
    "If a codeword is recorded, use it to confirm you are speaking to the victim and that they can talk.",
    "If you are unsure whether contact is safe, speak to the case coordinator before you try.",
]

CONTACT_SCHEDULE = [
    "The victim chooses whether to engage with you. Respect that choice, record it, and make sure they know "
    "how to reach you if they change their mind.",
    "At first contact, agree a contact schedule with the victim: how often (for example every two weeks), "
    "how, and when. Record it on the case update form; the system reminds you when each contact is due.",
    "Keep to the schedule even when there is no news: \u201cnothing has changed yet\u201d is an update.",
]

CONFIDENCE = [
    "Pick up early what undermines a victim's confidence, and act on it:",
    "a lack of updates from the investigation;",
    "a change of investigator (make sure the victim is told who the new OIC is and why);",
    "a lengthy investigation without a clear explanation of what is happening and why;",
    "the perpetrator's rank, role or colleagues appearing to influence the case;",
    "the victim hearing about their case from colleagues before hearing from the police.",
    "Ask the OIC to update the victim where updates are overdue, and record that you did.",
]

SUPPORT_ROUTES = [
    ("IDVA", "An independent domestic violence adviser: risk assessment, safety planning and advocacy."),
    ("Wellbeing", "The force's occupational health and wellbeing services, and the employee assistance programme."),
    ("Domestic abuse services", "Local specialist domestic abuse services and the national helplines."),
    ("Survivors' network", "The force's network of colleagues who have experienced domestic abuse."),
    (
        "Reasonable adjustments",
        "Changes at work that keep the victim safe and able to work: location, shifts, working from home, "
        "access to systems, or separating them from the perpetrator.",
    ),
]

UPDATE_FORM = [
    "The case update form is a live record you keep throughout the case: contacts and their outcome, support "
    "offered and taken up, investigation progress, concerns, panel decisions and actions, and closure.",
    "The scrutiny panel sees it anonymised. Write in plain language, and do not put names, dates of birth, "
    "employee or collar numbers, addresses, phone numbers or emails in free text: the system redacts known "
    "identifiers and warns you, but do not rely on it.",
]

PANEL = [
    "Each case comes to the scrutiny panel. You join only for your own case's slot and hear nothing else.",
    "Accept the panel's confidentiality statement before opening the papers. The PSD representative gives "
    "the investigation update; you speak to the victim's experience and any concerns.",
    "Where both people present as victims (counter-allegations), each has their own SOO; both SOOs attend the "
    "same slot so the panel can identify the primary victim and the primary perpetrator.",
]

CLOSURE_CHECKLIST = [
    "the misconduct assessment has been done;",
    "an IOPC referral has been considered;",
    "the victim has been informed of the outcome;",
    "the panel is content with closure or has signed it off (and has not asked for the case to come back);",
    "the victim's feedback has been asked for, including \u201cwould you feel confident to report again?\u201d.",
]

CLOSURE = [
    "When the criminal and/or misconduct investigation ends, complete the closure checklist and the closure "
    "section of the update form, have a final conversation with the victim, and inform the coordinators.",
    "A new report later reopens the work, usually with you as SOO again.",
]

PROCESS = [
    ("Intake", "The case arrives in the coordinators' inbox with the force's case or crime reference."),
    ("Triage", "A case coordinator checks the history of both people, the risk level and where it happened."),
    ("Allocation", "A coordinator allocates an independent chief inspector, avoiding conflicts of interest."),
    ("Contact", "The SOO contacts the victim within 72 hours and agrees a contact schedule."),
    ("Oversight", "The SOO keeps the update form, checks progress, and links the victim to support."),
    ("Scrutiny panel", "Police and partner agencies review the anonymised case and set direction."),
    ("Closure", "The SOO completes the closure checklist, speaks to the victim and informs the coordinators."),
]
