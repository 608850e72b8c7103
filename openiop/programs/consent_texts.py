"""First published versions of the consent documents (OpenIOP's own wording).

A clinic edits these by publishing a new version (a new ConsentDocument row); clients are then
asked to sign again. The text is plain language, meant to be read on a phone.
"""

TELEHEALTH_V1_TITLE = "Telehealth informed consent"
TELEHEALTH_V1 = """\
What telehealth is
Your sessions in this program happen over secure video, or by phone when video is not possible. \
You take part from a place you choose, usually your home.

Benefits and limits
Telehealth lets you get care without travelling. It is not the same as being in the room: your \
clinician may miss things they would notice in person, and some problems are better treated face \
to face. If your clinician thinks telehealth is not safe or helpful for you, they will talk with \
you about other options, including in-person care.

Privacy
Sessions are encrypted and are not recorded by the program. Group members are asked not to record, \
share or discuss what others say. Please join from a private place, use headphones when you can, \
and tell your clinician if someone could overhear you. We cannot control who is in the room at \
your end, or what other group members do.

Recording
The program never records sessions. You agree not to record sessions or take screenshots of other \
people.

Where you are
At the start of every session you will be asked where you are right now. We need this to send \
help to the right place in an emergency and because licences depend on location.

If the connection drops
If the video stops, rejoin with the same link. If you cannot rejoin within a few minutes, your \
clinician will call you on the phone number we have for you, or you can call the program's \
dial-in number.

Emergencies
Telehealth is not an emergency service. If you are in danger or thinking about harming yourself, \
call or text 988 (in the US) or your local emergency number, or go to the nearest emergency \
department. If your clinician believes you are in immediate danger during a session, they may \
contact emergency services at the location you gave, and your emergency contact.

Your choice
You can withdraw this consent at any time by telling your care team. Withdrawing does not affect \
your right to other care."""

TREATMENT_V1_TITLE = "Consent to treatment"
TREATMENT_V1 = """\
What the program is
An intensive outpatient program: several group and individual sessions each week, daily \
check-ins, questionnaires that show how you are doing, and practice between sessions.

What we ask of you
Attend your scheduled sessions, or tell us in advance when you cannot. Complete check-ins and \
questionnaires as honestly as you can. Treat other group members with respect and keep what \
they share private.

What you can expect from us
A care team that reviews your progress with you, a treatment plan written together, a safety \
plan, and help with what comes after the program.

Confidentiality and its limits
What you tell us is private and protected by law. We may share information without your \
permission only when the law requires it, for example if you or someone else is in serious \
danger, or to protect a child or vulnerable adult.

Your rights
You may ask questions about your treatment at any time, see your record, refuse or stop \
treatment, and make a complaint without it affecting your care."""
