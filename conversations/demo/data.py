"""What the demo organisation is made of: its directorates, staff groups, bands and teams,
the names of its people, and the things its staff raise, in several wordings.

Data only, for ``manage.py seed_demo``.
"""

from dataclasses import dataclass

from conversations.models import Idea

# Headcounts of a trust of about 3,300 staff; each list adds up to the same total.
DIRECTORATES = {
    "Adult Community Services": 1150,
    "Children and Families": 620,
    "Mental Health": 780,
    "Corporate Services": 410,
    "Specialist Services": 340,
}
STAFF_GROUPS = {
    "Nursing and Midwifery Registered": 1040,
    "Allied Health Professionals": 520,
    "Additional Clinical Services": 760,
    "Administrative and Clerical": 600,
    "Medical and Dental": 110,
    "Estates and Ancillary": 180,
    "Additional Professional Scientific and Technical": 90,
}
BANDS = {
    "Band 2": 280,
    "Band 3": 480,
    "Band 4": 360,
    "Band 5": 720,
    "Band 6": 760,
    "Band 7": 390,
    "Band 8a": 120,
    "Band 8b": 45,
    "Band 8c": 20,
    "Band 8d": 10,
    "Band 9": 5,
    "Medical": 110,
}

# Which staff groups work in each directorate, and which bands each staff group is on.
GROUPS_BY_DIRECTORATE = {
    "Adult Community Services": {
        "Nursing and Midwifery Registered": 45,
        "Allied Health Professionals": 15,
        "Additional Clinical Services": 25,
        "Administrative and Clerical": 10,
        "Medical and Dental": 3,
        "Estates and Ancillary": 2,
    },
    "Children and Families": {
        "Nursing and Midwifery Registered": 45,
        "Allied Health Professionals": 15,
        "Additional Clinical Services": 20,
        "Administrative and Clerical": 15,
        "Medical and Dental": 5,
    },
    "Mental Health": {
        "Nursing and Midwifery Registered": 40,
        "Allied Health Professionals": 10,
        "Additional Clinical Services": 25,
        "Administrative and Clerical": 10,
        "Medical and Dental": 8,
        "Additional Professional Scientific and Technical": 7,
    },
    "Corporate Services": {
        "Administrative and Clerical": 75,
        "Estates and Ancillary": 20,
        "Additional Professional Scientific and Technical": 5,
    },
    "Specialist Services": {
        "Nursing and Midwifery Registered": 30,
        "Allied Health Professionals": 35,
        "Additional Clinical Services": 15,
        "Administrative and Clerical": 10,
        "Additional Professional Scientific and Technical": 10,
    },
}
BANDS_BY_GROUP = {
    "Nursing and Midwifery Registered": {
        "Band 5": 40,
        "Band 6": 35,
        "Band 7": 18,
        "Band 8a": 5,
        "Band 8b": 2,
    },
    "Allied Health Professionals": {
        "Band 5": 25,
        "Band 6": 40,
        "Band 7": 25,
        "Band 8a": 8,
        "Band 8b": 2,
    },
    "Additional Clinical Services": {"Band 2": 15, "Band 3": 55, "Band 4": 30},
    "Administrative and Clerical": {
        "Band 2": 10,
        "Band 3": 35,
        "Band 4": 25,
        "Band 5": 12,
        "Band 6": 8,
        "Band 7": 5,
        "Band 8a": 3,
        "Band 8b": 1,
        "Band 8c": 1,
        "Band 8d": 0.5,
        "Band 9": 0.3,
    },
    "Medical and Dental": {"Medical": 100},
    "Estates and Ancillary": {"Band 2": 60, "Band 3": 25, "Band 4": 10, "Band 5": 5},
    "Additional Professional Scientific and Technical": {
        "Band 4": 15,
        "Band 5": 20,
        "Band 6": 25,
        "Band 7": 25,
        "Band 8a": 10,
        "Band 8b": 5,
    },
}

# (team, directorate, site)
TEAMS = [
    ("Ward 3, Riverside Hospital", "Adult Community Services", "Riverside Hospital"),
    ("Ward 5, Riverside Hospital", "Adult Community Services", "Riverside Hospital"),
    (
        "Beech Ward, Moorfield Community Hospital",
        "Adult Community Services",
        "Moorfield Community Hospital",
    ),
    (
        "North Locality District Nursing",
        "Adult Community Services",
        "Kingsbridge Health Centre",
    ),
    ("South Locality District Nursing", "Adult Community Services", "Elm Park Clinic"),
    (
        "East Locality Community Therapy",
        "Adult Community Services",
        "Riverside Hospital",
    ),
    ("West Locality Health Visiting", "Children and Families", "Elm Park Clinic"),
    (
        "School Nursing, Kingsbridge and the Vale",
        "Children and Families",
        "Kingsbridge Health Centre",
    ),
    (
        "Community Mental Health Team, Kingsbridge",
        "Mental Health",
        "Kingsbridge Health Centre",
    ),
    (
        "Crisis Resolution and Home Treatment",
        "Mental Health",
        "Moorfield Community Hospital",
    ),
    ("Podiatry Service", "Specialist Services", "Elm Park Clinic"),
    (
        "Estates and Facilities, Riverside Hospital",
        "Corporate Services",
        "Riverside Hospital",
    ),
    ("Finance and Payroll", "Corporate Services", "Hartwell House"),
]
TEAM_SITES = {name: site for name, _, site in TEAMS}

FIRST_NAMES = [
    "Oliver",
    "Amelia",
    "Jack",
    "Isla",
    "Harry",
    "Olivia",
    "George",
    "Emily",
    "Charlie",
    "Sophie",
    "Thomas",
    "Grace",
    "James",
    "Jessica",
    "William",
    "Chloe",
    "Daniel",
    "Lucy",
    "Samuel",
    "Hannah",
    "Joseph",
    "Ellie",
    "Matthew",
    "Megan",
    "Ryan",
    "Holly",
    "Adam",
    "Laura",
    "Ben",
    "Rachel",
    "Liam",
    "Sarah",
    "Mohammed",
    "Aisha",
    "Priya",
    "Rajesh",
    "Anjali",
    "Kwame",
    "Ama",
    "Chidi",
    "Ngozi",
    "Tomasz",
    "Agnieszka",
    "Maria",
    "Joanna",
    "Siobhan",
    "Ciaran",
    "Rhys",
    "Cerys",
    "Fiona",
    "Hamish",
    "Kirsty",
    "Deepak",
    "Fatima",
    "Yusuf",
    "Precious",
    "Blessing",
    "Jose",
    "Ana",
    "Wei",
    "Mei",
    "Bethany",
    "Zoe",
    "Karen",
    "Julie",
    "Susan",
    "Helen",
    "Claire",
    "Nicola",
    "Gareth",
    "Paul",
    "Mark",
    "Stephen",
    "Andrew",
    "David",
    "Lisa",
    "Joanne",
    "Michelle",
    "Dawn",
    "Tracey",
    "Kelly",
    "Gemma",
    "Leanne",
    "Carl",
    "Darren",
    "Sean",
    "Aaron",
    "Nia",
    "Imran",
    "Sana",
    "Farah",
    "Oluwaseun",
    "Adaeze",
    "Marek",
    "Katarzyna",
    "Rosa",
    "Lakshmi",
    "Anita",
    "Hollie",
    "Jade",
]
SURNAMES = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "James",
    "Scott",
    "Phillips",
    "Watson",
    "Davis",
    "Parker",
    "Price",
    "Bennett",
    "Young",
    "Griffiths",
    "Mitchell",
    "Kelly",
    "Cook",
    "Carter",
    "Richardson",
    "Bailey",
    "Collins",
    "Bell",
    "Shaw",
    "Murphy",
    "Miller",
    "Cox",
    "Richards",
    "Khan",
    "Marshall",
    "Anderson",
    "Simpson",
    "Ellis",
    "Adams",
    "Singh",
    "Begum",
    "Ali",
    "Hussain",
    "Ahmed",
    "Okafor",
    "Mensah",
    "Nowak",
    "Kowalski",
    "Santos",
    "Chen",
    "Fernandes",
    "Rahman",
    "Osei",
    "Adeyemi",
    "McDonald",
    "Campbell",
    "Stewart",
    "Murray",
    "Fraser",
    "Reid",
    "Jenkins",
    "Pritchard",
    "Rees",
    "Owen",
    "Lloyd",
    "Sharma",
    "Kaur",
    "Nguyen",
    "Mahmood",
    "Asante",
]


@dataclass(frozen=True)
class Topic:
    """Something staff raise, in several wordings; ideas and comments are composed from
    these so a few hundred posts read differently."""

    titles: tuple[str, ...]
    problems: tuple[str, ...]
    suggestions: tuple[str, ...]
    comments: tuple[str, ...]


OPEN_TOPICS: dict[str, list[Topic]] = {
    "Health and wellbeing": [
        Topic(
            (
                "Protected rest breaks on every shift",
                "Make sure we actually get our breaks",
                "A break rota that is kept to on {team}",
            ),
            (
                "Most shifts I don't get a proper break until the last hour, if at all.",
                "On a busy day we work twelve and a half hours and the break just disappears.",
                "Breaks are on paper, but when we're short nobody can leave the floor.",
            ),
            (
                "Could the nurse in charge write break times on the board at handover, with cover "
                "agreed?",
                "A simple break rota at the start of each shift would make breaks the norm rather "
                "than a favour.",
                "If a break is missed it should be recorded, so managers can see how often it "
                "happens.",
            ),
            (
                "Missed breaks are how mistakes happen at 4am.",
                "We started writing breaks on the board last month and it has helped.",
                "Community staff end up eating in the car between visits, so please include us.",
            ),
        ),
        Topic(
            (
                "Hot food for night staff at {site}",
                "Somewhere to get a hot meal after 8pm",
                "Proper food options on nights",
            ),
            (
                "The canteen closes at 7.30pm and the vending machine is often empty by 2am.",
                "On nights the only option is crisps and chocolate from the machine.",
                "Night staff get none of the food choices the day shift has.",
            ),
            (
                "A hot food vending machine, or a fridge of ready meals and a microwave, would "
                "make a huge difference.",
                "Could the canteen leave a hot meal in a heated trolley for the night team?",
                "Even free toast and soup in the staff room overnight would help.",
            ),
            (
                "Nights are hard enough without living on crisps.",
                "The microwave on our ward has been broken since the summer.",
                "The acute trust down the road does this and their night staff love it.",
            ),
        ),
        Topic(
            (
                "A quiet room to decompress at {site}",
                "Staff rest room needs an update",
                "Somewhere to go after a difficult shift",
            ),
            (
                "After a death or a difficult incident there is nowhere to go for ten minutes.",
                "Our staff room doubles as the store room and the meeting room.",
                "There is nowhere to sit and eat that isn't in front of patients.",
            ),
            (
                "A small wellbeing room with comfortable chairs, low light and no phones.",
                "Could the old office on the first floor become a rest space?",
                "Ask the charity for funds to refurbish the staff room, and let staff choose how.",
            ),
            (
                "Yes please. Crying in the sluice is not a wellbeing plan.",
                "We'd need it to be somewhere managers can't book for meetings.",
                "Our league of friends might fund this if we ask.",
            ),
        ),
        Topic(
            (
                "Water and toilets for community staff",
                "Somewhere to refill and take a break when we're out all day",
            ),
            (
                "In the summer our cars get really hot and we're out all day with nowhere to "
                "refill a bottle.",
                "Some community staff go a whole shift without access to a toilet.",
            ),
            (
                "Give every community nurse a cool bag and a water bottle, and agree which health "
                "centres and GP surgeries we can use.",
                "A simple map of trust and partner buildings where staff can stop, with door "
                "codes.",
            ),
            (
                "This is a real problem in the rural patches.",
                "GP surgeries are usually happy to help if someone asks them formally.",
            ),
        ),
        Topic(
            (
                "Faster access to staff counselling",
                "Wellbeing check-ins after difficult visits",
                "Support after a traumatic incident",
            ),
            (
                "The wait for staff counselling is six weeks, which is too long when you're "
                "struggling.",
                "After a traumatic visit we just go on to the next patient.",
                "Nobody checks in after a serious incident unless you ask.",
            ),
            (
                "A weekly drop-in with the psychology team, open to any member of staff.",
                "Trained wellbeing champions on every team, with an hour a month to do it.",
                "A debrief offered after every serious incident, as standard.",
            ),
            (
                "The debriefs after the incident on our ward were really helpful. They should be "
                "routine.",
                "Please make sure night staff can get to the drop-in too.",
                "Wellbeing champions only work if they get the time to do it.",
            ),
        ),
    ],
    "Leadership and behaviours": [
        Topic(
            (
                "Senior managers to work a shift with us",
                "See the board on the wards",
                "Directors to spend a day in the community",
            ),
            (
                "Most of us have never met anyone from the executive team.",
                "Decisions about community services are made by people who have never been on a "
                "visit.",
                "We only see senior managers when there's a CQC inspection.",
            ),
            (
                "Each director spends one day a quarter with a frontline team and tells us what "
                "they learned.",
                "Monthly 'ask the exec' sessions online, at a time night staff can join.",
            ),
            (
                "The chief nurse came out with us last year and it changed how she talked about "
                "us.",
                "Please not just a photo opportunity. Actually do the shift.",
                "Include the evening and weekend teams.",
            ),
        ),
        Topic(
            (
                "Say thank you more often",
                "Recognition that isn't just an email",
                "Celebrate good work on {team}",
            ),
            (
                "We only hear from managers when something has gone wrong.",
                "The annual awards are nice, but most good work goes unnoticed.",
                "A thank-you email from someone who doesn't know my name doesn't mean much.",
            ),
            (
                "A simple thank-you card scheme where anyone can nominate a colleague, and it goes "
                "on their record.",
                "Managers could start every team meeting with something that went well.",
                "Let patients' compliments reach the actual staff involved.",
            ),
            (
                "A handwritten card from my matron meant more than any award.",
                "Our team does 'wins of the week' on Fridays and it lifts everyone.",
                "Recognition should include admin and estates colleagues too.",
            ),
        ),
        Topic(
            (
                "Make it safe to raise concerns",
                "Feedback when we speak up",
                "More Freedom to Speak Up guardians",
            ),
            (
                "People are worried that raising a concern will be held against them.",
                "When I raised staffing levels I was told that everyone is busy.",
                "You raise something and never hear what happened.",
            ),
            (
                "More Freedom to Speak Up guardians, including on nights and in the community.",
                "Feedback within two weeks on every concern raised, even if the answer is no.",
                "Publish a 'you said, we did' on concerns each quarter, anonymised.",
            ),
            (
                "Hearing back, even a no with a reason, would make people more likely to speak up.",
                "Guardians need protected time, not a few hours squeezed in.",
                "I didn't know we had guardians until this conversation.",
            ),
        ),
        Topic(
            ("Appraisals that mean something", "Protected time for appraisals"),
            (
                "My appraisal was a tick-box exercise done in fifteen minutes.",
                "Appraisals get cancelled whenever the ward is busy, which is always.",
            ),
            (
                "Protected time for appraisals, with a follow-up conversation six months later.",
                "Link appraisals to training that is actually available and funded.",
            ),
            (
                "Mine was good this year because my manager blocked out an hour and stuck to it.",
                "The paperwork is the problem. Make it shorter.",
            ),
        ),
        Topic(
            (
                "Tackle rudeness between teams",
                "A civility pledge for the whole trust",
                "Kindness on the phone",
            ),
            (
                "Some phone calls with other departments are really curt, and it wears you down.",
                "Incivility is tolerated if the person is senior.",
            ),
            (
                "Sign up to a civility pledge and include behaviours in every manager's "
                "objectives.",
                "Short sessions on civility for all teams, starting with leadership teams.",
            ),
            (
                "Rudeness spreads. So does kindness.",
                "It has to apply to consultants and directors as well.",
            ),
        ),
    ],
    "Working together": [
        Topic(
            (
                "Better handover between wards and district nurses",
                "Fewer Friday afternoon discharges with no handover",
            ),
            (
                "Patients are discharged on a Friday afternoon and we find out on Monday.",
                "We often arrive at a patient's home without the discharge letter.",
            ),
            (
                "A shared discharge list the district nursing teams can see, updated daily.",
                "A named discharge contact on each ward for the community teams to call.",
            ),
            (
                "This would save so much time chasing information.",
                "From the ward side: we'd love to know who to call in each locality.",
            ),
        ),
        Topic(
            (
                "Shadow days with other teams",
                "Spend a day with another service",
                "Get to know the teams we refer to",
            ),
            (
                "We refer to teams we have never met and don't really know what they do.",
                "There's a lot of 'them and us' between services.",
            ),
            (
                "Everyone gets one shadow day a year with a team they work with.",
                "A short 'meet the team' video from each service on the intranet.",
            ),
            (
                "I shadowed the crisis team last year and it completely changed my referrals.",
                "Would be great for admin staff too.",
            ),
        ),
        Topic(
            ("Ten-minute daily huddles", "A morning huddle for community teams"),
            (
                "Information gets lost between shifts and bases.",
                "In the community we can go days without seeing colleagues.",
            ),
            (
                "A ten-minute huddle at 9am, in person or on Teams, with a simple board.",
                "A weekly team catch-up that is protected, not cancelled when it's busy.",
            ),
            (
                "Our huddles have made a big difference to safety.",
                "Keep it to ten minutes or people stop coming.",
            ),
        ),
        Topic(
            (
                "Ask frontline staff before changing forms",
                "Test new processes with the people who use them",
            ),
            (
                "Forms and processes are designed without asking the people who use them.",
                "Every new form adds time to a visit that is already too short.",
            ),
            (
                "Test new forms with a small group of frontline staff before rolling them out.",
                "A user group for the electronic record, with clinicians from every service.",
            ),
            (
                "Yes! The new falls form takes twenty minutes.",
                "Happy to volunteer for a user group.",
            ),
        ),
        Topic(
            (
                "A proper welcome for bank and agency staff",
                "Welcome packs for new starters on {team}",
            ),
            (
                "Bank staff arrive without a login or a locker and don't know where anything is.",
                "New starters spend their first week without access to the systems they need.",
            ),
            (
                "A one-page welcome sheet and a temporary login ready for every bank shift.",
                "A buddy for every new starter for their first month.",
            ),
            (
                "As a bank nurse, thank you for thinking of us.",
                "The buddy system works well on our ward.",
            ),
        ),
    ],
    "Flexible working": [
        Topic(
            (
                "Fairer rotas",
                "Rotas published six weeks ahead",
                "Fair share of weekends on {team}",
            ),
            (
                "The rota comes out two weeks before and the same people always get the weekends.",
                "Requests seem to be granted to some people and not others.",
                "It's impossible to plan childcare when the rota comes out so late.",
            ),
            (
                "Publish rotas at least six weeks ahead and share a simple record of who has "
                "worked which weekends.",
                "Use the e-rostering fairness report and share it with the team.",
                "Agree rota rules as a team and stick to them.",
            ),
            (
                "Rota fairness is the thing that would make me stay.",
                "Six weeks is the policy already. It just doesn't happen.",
                "Transparency would stop a lot of the resentment.",
            ),
        ),
        Topic(
            ("Self-rostering pilot on {team}", "Let teams try self-rostering"),
            (
                "We have no say over our shifts, even when colleagues are happy to swap.",
            ),
            (
                "Pilot self-rostering on a couple of wards, with clear rules on cover.",
                "Let staff swap shifts in the e-rostering app without a manager's sign-off.",
            ),
            (
                "Self-rostering worked well at my last trust.",
                "Needs someone to sort out the gaps, or it falls apart.",
            ),
        ),
        Topic(
            ("School-hours shifts for parents", "Shifts that fit around childcare"),
            (
                "I had to go to bank because none of the shifts fit around school pick-up.",
                "We're losing experienced staff because the shift patterns are rigid.",
            ),
            (
                "Offer 9.30 to 2.30 shifts where the service can use them.",
                "Term-time contracts for roles where it works, like school nursing.",
            ),
            (
                "Carers need this too, not just parents.",
                "Short shifts would help cover the busy morning period anyway.",
            ),
        ),
        Topic(
            ("Clear guidance on working from home", "Hybrid working for admin teams"),
            (
                "Some admin teams can work from home one day a week and others can't, with no "
                "clear reason.",
            ),
            (
                "A trust-wide guide on hybrid working, with decisions explained.",
                "Let teams agree their own pattern within trust-wide principles.",
            ),
            (
                "Consistency is the main thing.",
                "Working from home one day a week would save me ten hours of driving.",
            ),
        ),
        Topic(
            ("Annual leave approved earlier", "Know whether our leave is approved"),
            (
                "I can't book a holiday because leave isn't approved until the rota is out.",
                "Leave requests sit for weeks without an answer.",
            ),
            (
                "Approve leave requests within two weeks, and show how many people are already "
                "off.",
                "An annual leave planner the whole team can see.",
            ),
            (
                "Booking flights at the last minute costs a fortune.",
                "Our team uses a shared calendar and it works.",
            ),
        ),
    ],
    "Tools and facilities": [
        Topic(
            (
                "One login for everything",
                "Faster logins on shared computers",
                "Stop the 15-minute log-outs",
            ),
            (
                "I have eleven different passwords and the system logs me out every fifteen "
                "minutes.",
                "It takes five minutes to log in to a shared computer at the start of a shift.",
                "We lose so much time logging in that we write notes on paper first.",
            ),
            (
                "Single sign-on with a smartcard tap, like the acute trust has.",
                "Keep shared computers logged in to the clinical system, with a quick switch "
                "between users.",
                "Fewer, better systems. And one password.",
            ),
            (
                "This is my number one frustration.",
                "The IT team are great, but the systems are against them.",
                "Tap-in logins would give every nurse back about twenty minutes a shift.",
            ),
        ),
        Topic(
            (
                "Laptops that work in patients' homes",
                "Mobile signal in the rural patches",
            ),
            (
                "The laptop can't connect in half the villages in the north of the county, so we "
                "write notes twice.",
                "Laptops take ten minutes to start up, in front of the patient.",
            ),
            (
                "An offline mode for the electronic record, and a mobile hotspot for each team.",
                "Replace the oldest laptops first and give us tablets for visits.",
            ),
            (
                "Writing notes twice is a safety risk, not just a waste of time.",
                "The hotspots in the south team have made a big difference.",
            ),
        ),
        Topic(
            (
                "Free parking for staff at {site}",
                "A permit that works at every site",
                "Parking for community staff",
            ),
            (
                "I spend twenty minutes every morning looking for a space and then I'm late for "
                "handover.",
                "We pay to park at our base and then again at health centres we visit.",
                "Night staff walk across a dark car park at 8pm and 8am.",
            ),
            (
                "Reserve the back car park for staff before 8am and after 7pm.",
                "One permit that works at every trust site and partner building.",
                "Free parking for staff on nights and weekends.",
            ),
            (
                "Parking is the first thing every new starter complains about.",
                "Please include lighting in the car park. It isn't safe at night.",
                "Car sharing spaces would help too.",
            ),
        ),
        Topic(
            (
                "Enough working equipment on {team}",
                "Stop hunting for equipment every shift",
            ),
            (
                "We spend the start of every shift hunting for a working blood pressure machine.",
                "Broken equipment sits in the sluice for weeks.",
            ),
            (
                "An equipment checklist and a named person to order replacements.",
                "A simple way to report broken equipment that tells you when it's fixed.",
            ),
            (
                "Same on our ward, especially the thermometers.",
                "Estates would fix things faster if the reporting system were easier.",
            ),
        ),
        Topic(
            ("Uniforms that fit, on time", "Lockers and showers for staff who cycle"),
            (
                "New starters wait eight weeks for uniforms.",
                "There is nowhere to change or shower if you cycle in.",
            ),
            (
                "Keep a stock of common uniform sizes at each site.",
                "Lockers and a shower at each main site, bookable for cyclists and runners.",
            ),
            (
                "Uniform delays are embarrassing for new starters.",
                "The cycle-to-work scheme is pointless without a shower.",
            ),
        ),
    ],
}

CLOSED_TOPICS: dict[str, list[Topic]] = {
    "Respect and kindness": [
        OPEN_TOPICS["Leadership and behaviours"][4],
        Topic(
            ("Team values sessions", "Agree what our values mean on {team}"),
            ("Our values are on posters but nobody talks about them.",),
            (
                "A short session in each team to agree what the values look like day to day.",
            ),
            ("We did this and wrote our own team promises. It helped.",),
        ),
    ],
    "Speaking up": [OPEN_TOPICS["Leadership and behaviours"][2]],
    "Our leadership promise": [
        OPEN_TOPICS["Leadership and behaviours"][0],
        Topic(
            (
                "A leadership promise staff can hold managers to",
                "Managers who listen first",
            ),
            ("Leadership behaviours vary hugely from one manager to the next.",),
            (
                "A short promise from every leader: listen, explain decisions, say thank you, "
                "and back staff who speak up.",
            ),
            (
                "Only if it's in their appraisal too.",
                "Keep it short enough to remember.",
            ),
        ),
    ],
    "Recognition": [OPEN_TOPICS["Leadership and behaviours"][1]],
}

OPENERS = (
    "",
    "",
    "",
    "I work on {team}.",
    "On {team} this comes up every week.",
    "This is something we talk about a lot at {site}.",
    "Speaking for a few of us on {team}:",
    "I've worked in the trust for eleven years and this has never been sorted.",
    "Since I joined last year I've noticed this.",
    "I work nights at {site}.",
)
CLOSERS = (
    "",
    "",
    "It would make a real difference to morale.",
    "Small change, big difference.",
    "Happy to help set this up.",
    "It would help us keep good staff.",
    "Patients would benefit too.",
    "Would others support this?",
)
COMMENT_LEADS = (
    "Completely agree.",
    "Yes, this.",
    "Same on {team}.",
    "I support this 100%.",
    "This would make such a difference.",
    "Agree, and it's worse on nights.",
    "",
    "I see the point, but I'm not sure this is where the money should go.",
    "This would be hard in a small team like ours.",
    "We had this before and it stopped when the manager left.",
)
COMMENT_ADDS = (
    "We tried something similar on {team} and it worked once everyone got used to it.",
    "The hard part is cover when we're short, so it needs staffing behind it.",
    "It needs to work in the community as well as on the wards.",
    "Could it be tried in one locality first?",
    "It mustn't become another thing on the list.",
)
REPLIES = (
    "Good point.",
    "Agreed, cover is the key.",
    "That's exactly what happens to us too.",
    "Thanks, I hadn't thought of that.",
    "Which team was that? I'd love to hear how it went.",
    "Fair point. A pilot makes sense.",
    "Same at {site}.",
)
MANAGER_REPLY = (
    "Thank you for raising this. I've shared it with the team responsible and we will post "
    "an update here before the conversation closes."
)
CLOSED_STATUS_NOTES = {
    Idea.Status.DONE: "Done: this is now part of our refreshed behaviour framework.",
    Idea.Status.IN_PROGRESS: "In progress: a working group of staff started in the spring.",
    Idea.Status.ADOPTED: "Adopted: it is in the leadership promise, and starts next quarter.",
    Idea.Status.UNDER_CONSIDERATION: "The executive team is looking at the cost of this.",
    Idea.Status.NOT_TAKEN_FORWARD: (
        "Not taken forward for now: we could not fund it this year. We will look again in the "
        "next financial year."
    ),
}
