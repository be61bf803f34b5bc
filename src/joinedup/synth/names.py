"""Invented names by origin with realistic (Zipf-like) frequency, spelling variants and nicknames.

Pools are lists of common forenames and surnames in rank order; combining them at random
gives invented people. The top of each list is very common on purpose, so the city has
many "Mohammed Khan"s and "Jack Smith"s, as real towns do.
"""

from __future__ import annotations

import random
import unicodedata

from joinedup.synth.rng import Picker, zipf_weights

ORIGINS = (
    "english",
    "south_asian",
    "eastern_european",
    "african",
    "caribbean",
    "middle_eastern",
)
# Share of households by origin: an invented northern English town.
ORIGIN_MIX = {
    "english": 0.66,
    "south_asian": 0.16,
    "eastern_european": 0.07,
    "african": 0.05,
    "caribbean": 0.03,
    "middle_eastern": 0.03,
}

_M, _F = "M", "F"

# (origin, sex, generation) -> names in rank order. Generation "child" is born ~2002-2012,
# "adult" covers older adults; origins without a generational split share one list.
FORENAMES: dict[tuple[str, str, str], list[str]] = {
    ("english", _M, "child"): (
        "Jack Oliver Harry Charlie Thomas James George Jacob Alfie Joshua Noah William Leo "
        "Ethan Dylan Mason Riley Logan Lewis Kyle Callum Connor Liam Ryan Tyler Jake Luke "
        "Owen Max Louis Archie Reece Kieran Bradley Jordan Ben Sam Adam Harvey Finley"
    ).split(),
    ("english", _F, "child"): (
        "Olivia Amelia Emily Jessica Isla Ava Lily Sophie Chloe Ruby Grace Evie Mia Ella "
        "Holly Megan Chelsea Paige Jade Courtney Leah Lauren Shannon Kayleigh Ellie Caitlin "
        "Abbie Bethany Charlotte Hannah Amy Millie Katie Georgia Freya Poppy Niamh Rebecca "
        "Demi Tia"
    ).split(),
    ("english", _M, "adult"): (
        "David Paul Mark Andrew John Michael Stephen Richard Darren Lee Craig Gary Wayne "
        "Steven Christopher Daniel Matthew James Peter Ian Neil Kevin Anthony Robert Simon "
        "Jason Martin Carl Dean Shaun Graham Philip Gavin Scott Adrian Keith Brian Colin "
        "Trevor Barry"
    ).split(),
    ("english", _F, "adult"): (
        "Sarah Claire Emma Lisa Karen Nicola Michelle Julie Joanne Helen Rachel Laura Susan "
        "Kelly Donna Amanda Tracey Dawn Angela Victoria Louise Gemma Samantha Jennifer "
        "Stacey Natalie Kirsty Hayley Lindsey Deborah Sharon Wendy Carol Elaine Jane "
        "Catherine Leanne Zoe Anne Linda"
    ).split(),
    ("south_asian", _M, "any"): (
        "Mohammed Muhammad Imran Adil Asif Amjad Tariq Zahid Shakeel Naveed Kamran Sajid "
        "Rizwan Zubair Arshad Abdul Aamir Waqas Bilal Usman Hamza Ibrahim Yusuf Ali Haroon "
        "Faisal Shahid Nadeem Irfan Kashif Adnan Sohail Wasim Rashid Javed Sanjay Rajesh "
        "Harpreet Gurpreet Aryan"
    ).split(),
    ("south_asian", _F, "any"): (
        "Aisha Fatima Ayesha Zainab Maryam Sana Hina Nadia Saima Shazia Rubina Nazia Amina "
        "Samina Iqra Aleena Hafsa Khadija Noor Zara Sadia Asma Farah Nabila Yasmin Shabana "
        "Rukhsana Parveen Priya Anjali Simran Jasleen Mehwish Kiran Uzma"
    ).split(),
    ("eastern_european", _M, "any"): (
        "Piotr Tomasz Krzysztof Marcin Paweł Andrzej Michał Jakub Łukasz Mateusz Ionuț "
        "Andrei Mihai Florin Vasile Lukas Marius Adrian Bogdan Kamil Dawid Szymon Sebastian "
        "Radu Cristian Ivan Tomas Darius Karol Patryk"
    ).split(),
    ("eastern_european", _F, "any"): (
        "Anna Katarzyna Magdalena Agnieszka Joanna Monika Natalia Julia Maria Elena Ioana "
        "Alina Andreea Oliwia Zuzanna Aleksandra Wiktoria Karolina Gabriela Paulina Denisa "
        "Ewa Marta Kinga Roxana Daria Jana Lucia"
    ).split(),
    ("african", _M, "any"): (
        "Mohamed Ahmed Abdi Samuel Emmanuel David Daniel Joseph Michael Oluwaseun Chinedu "
        "Emeka Kwame Kofi Tunde Ibrahim Victor Chukwudi Segun Yusuf Abdirahman Hassan "
        "Godwin Isaac Kelechi Tobi Femi Kojo Obinna Ayodele"
    ).split(),
    ("african", _F, "any"): (
        "Blessing Grace Favour Precious Esther Mercy Chioma Ngozi Adaeze Amara Hodan "
        "Fadumo Ayan Faith Abena Ama Deborah Ruth Comfort Joy Funmilayo Ifeoma Sagal "
        "Hamdi Nimo Temitope Patience Adwoa"
    ).split(),
    ("caribbean", _M, "child"): (
        "Tyler Jordan Kai Reece Nathan Jamal Devon Marcus Jayden Malachi Tyrese Kyle Ethan "
        "Isaiah Josiah Daniel Elijah Aaron Dante Kemar"
    ).split(),
    ("caribbean", _F, "child"): (
        "Jada Aaliyah Nia Tia Kayla Jasmine Shanice Keisha Amani Imani Zuri Naomi Chantelle "
        "Tanisha Destiny Ebony Kiara Leah Maya Serena"
    ).split(),
    ("caribbean", _M, "adult"): (
        "Marcus Jermaine Tyrone Dwayne Leon Andre Curtis Delroy Winston Carl Trevor Devon "
        "Clive Errol Lloyd Junior Courtney Everton Wesley Shane"
    ).split(),
    ("caribbean", _F, "adult"): (
        "Marcia Sharon Simone Natasha Chantelle Beverley Paulette Sonia Yvonne Jacqueline "
        "Claudette Donna Jasmine Leanne Michelle Carlene Janet Angela Pauline Lorna"
    ).split(),
    ("middle_eastern", _M, "any"): (
        "Ahmed Omar Karim Hassan Ali Rebwar Dilshad Aram Hawre Mustafa Saman Azad Bakhtiyar "
        "Hiwa Sirwan Khalid Mahmoud Youssef Sami Nawzad Zana Kawa Soran Rawand"
    ).split(),
    ("middle_eastern", _F, "any"): (
        "Zhina Shilan Avin Layla Nasrin Rozhan Sara Hana Mariam Dilan Noor Rana Huda Lana "
        "Shler Bahar Zhiyan Shno Tara Nawroz"
    ).split(),
}

SURNAMES: dict[str, list[str]] = {
    "english": (
        "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson "
        "Evans Walker White Roberts Green Hall Wood Jackson Clarke Hughes Harris Edwards "
        "Turner Lewis Hill Cooper Ward Moore King Baker Harrison Morris Shaw Lee Parker "
        "Marshall Kelly Bennett Simpson Holmes Cook Barker Fletcher Ellis Atkinson Dixon "
        "Hudson Pearson Webster Lawson Brooks Chapman Kershaw Sutcliffe Haigh Firth Gledhill"
    ).split(),
    "south_asian": (
        "Khan Hussain Ali Ahmed Akhtar Iqbal Mahmood Shah Rehman Saddique Begum Bibi Malik "
        "Aslam Butt Rashid Riaz Anwar Javed Hanif Younis Sharif Nawaz Chaudhry Mirza Qureshi "
        "Patel Singh Kaur Sharma Miah Uddin Rahman Islam Choudhury Latif Arif Bashir Sadiq"
    ).split(),
    "eastern_european": (
        "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński "
        "Szymański Woźniak Popescu Ionescu Popa Dumitru Stan Horváth Balogh Kaminskas "
        "Petrov Kazlauskas Jankowski Mazur Krawczyk Dąbrowski Grabowski Constantin Lupu "
        "Novák Varga Rusu"
    ).split(),
    "african": (
        "Okafor Adeyemi Okonkwo Mensah Osei Abdi Mohamed Hassan Nwosu Eze Adebayo Boateng "
        "Owusu Asante Ogunleye Afolabi Ibrahim Yusuf Nwachukwu Oyelaran Bello Appiah Okoro "
        "Farah Warsame Ali Diallo Kamara Danso Ekwueme"
    ).split(),
    "caribbean": (
        "Campbell Williams Brown Thompson Francis Grant Henry Reid Bailey Morgan Clarke "
        "Richards Johnson Edwards Lewis Gordon Forbes Stewart Wright Powell Samuels Spence "
        "Walters McKenzie Barrett Douglas Allen Ellis Joseph Lindo"
    ).split(),
    "middle_eastern": (
        "Ahmadi Hassan Karimi Rahimi Mahmoud Salih Aziz Abdullah Mohammed Rasul Hamad Qadir "
        "Ibrahim Omar Kareem Jalal Faraj Taha Saleh Amin Nouri Mustafa Haji Rashid Khalil"
    ).split(),
}

# Canonical -> alternative spellings seen across agencies (transliteration, diacritics,
# anglicisation). Any of them may be the "true" spelling of a person; the others are
# what another agency writes.
VARIANTS: dict[str, tuple[str, ...]] = {
    "Mohammed": ("Muhammad", "Mohammad", "Mohamed", "Mohd", "Muhammed", "Mohamad"),
    "Muhammad": ("Mohammed", "Mohammad", "Muhammed", "Mohd"),
    "Mohamed": ("Mohammed", "Mohamud", "Mohamad"),
    "Saddique": ("Siddique", "Sadiq", "Siddiq", "Sadique"),
    "Sadiq": ("Saddique", "Sadique", "Siddiq"),
    "Hussain": ("Hussein", "Husain", "Hussan"),
    "Ahmed": ("Ahmad", "Ahmet", "Ahmmed"),
    "Mahmood": ("Mahmud", "Mehmood", "Mahmoud"),
    "Mahmoud": ("Mahmood", "Mahmud"),
    "Rehman": ("Rahman", "Rehmann", "Rahmen"),
    "Rahman": ("Rehman",),
    "Iqbal": ("Ikbal", "Iqbaal"),
    "Shakeel": ("Shakil", "Shakiel"),
    "Naveed": ("Navid", "Naveid"),
    "Zubair": ("Zubayr", "Zubeir"),
    "Yusuf": ("Yousaf", "Yousef", "Yusef", "Yousuf"),
    "Aisha": ("Ayesha", "Aysha", "Aishah"),
    "Ayesha": ("Aisha", "Aysha"),
    "Fatima": ("Fatimah", "Fatma"),
    "Khadija": ("Khadijah", "Khadeja"),
    "Maryam": ("Mariam", "Miriam"),
    "Usman": ("Osman", "Uthman"),
    "Haroon": ("Harun", "Haroun"),
    "Abdul": ("Abdool", "Abdal"),
    "Ibrahim": ("Ebrahim", "Ibraheem"),
    "Tariq": ("Tarik", "Tareq"),
    "Faisal": ("Faysal", "Feisal"),
    "Shahid": ("Shaheed", "Shahed"),
    "Kamran": ("Camran", "Kamraan"),
    "Bilal": ("Belal",),
    "Akhtar": ("Akhter", "Akter"),
    "Begum": ("Begom", "Beegum"),
    "Chaudhry": ("Choudhury", "Chaudhary", "Chowdhury"),
    "Choudhury": ("Chaudhry", "Chowdhury"),
    "Qureshi": ("Kureshi", "Quraishi"),
    "Malik": ("Malick",),
    "Javed": ("Javaid", "Jawed"),
    "Rashid": ("Rasheed", "Rashed"),
    "Nadeem": ("Nadim",),
    "Wasim": ("Waseem",),
    "Sajid": ("Sajjad", "Sajed"),
    "Omar": ("Umar", "Omer"),
    "Mustafa": ("Mostafa", "Moustafa"),
    "Hassan": ("Hasan", "Hassen"),
    "Karim": ("Kareem", "Karem"),
    "Kareem": ("Karim",),
    "Youssef": ("Yusuf", "Yousef"),
    "Abdullah": ("Abdulla", "Abdallah"),
    "Abdi": ("Abdy",),
    "Abdirahman": ("Abdulrahman", "Abdirahmaan"),
    "Oluwaseun": ("Seun", "Oluseun"),
    "Chukwudi": ("Chukwuddi",),
    "Paweł": ("Pawel", "Paul"),
    "Michał": ("Michal", "Michael"),
    "Łukasz": ("Lukasz", "Lucas"),
    "Krzysztof": ("Krzystof", "Christopher"),
    "Piotr": ("Peter", "Pyotr"),
    "Ionuț": ("Ionut",),
    "Wiśniewski": ("Wisniewski", "Wisnewski"),
    "Wójcik": ("Wojcik", "Wujcik"),
    "Kamiński": ("Kaminski", "Kaminsky"),
    "Zieliński": ("Zielinski",),
    "Szymański": ("Szymanski", "Shymanski"),
    "Woźniak": ("Wozniak",),
    "Dąbrowski": ("Dabrowski", "Dombrowski"),
    "Horváth": ("Horvath",),
    "Novák": ("Novak",),
    "Kowalczyk": ("Kowalcyk", "Kowalczik"),
    "Jermaine": ("Germaine", "Jermain"),
    "Tyrone": ("Tyron",),
    "Shanice": ("Shaneice", "Shaniece"),
    "Chantelle": ("Shantelle", "Chantel"),
    "Kayleigh": ("Kayley", "Kaylee", "Kayly"),
    "Leanne": ("Lianne", "Leann"),
    "Stephen": ("Steven",),
    "Steven": ("Stephen",),
    "Philip": ("Phillip",),
    "Clarke": ("Clark",),
    "Thompson": ("Thomson", "Tompson"),
    "Reid": ("Reed", "Read"),
    "Jessica": ("Jesica",),
    "Caitlin": ("Katelyn", "Kaitlyn"),
    "Niamh": ("Neve", "Neave"),
    "Abbie": ("Abby", "Abi"),
    "Zara": ("Zarah",),
    "Ayan": ("Ayaan",),
    "Hodan": ("Hoodan",),
}

# Familiar forms people are known by: how a child or colleague would name them.
FAMILIAR: dict[str, tuple[str, ...]] = {
    "Mohammed": ("Mo", "Mohd"),
    "Muhammad": ("Mo",),
    "Mohamed": ("Mo",),
    "Imran": ("Immy",),
    "Kamran": ("Kam", "Kaz"),
    "Kashif": ("Kash", "Kaz"),
    "Shakeel": ("Shak",),
    "Tariq": ("Taz",),
    "Zahid": ("Zed",),
    "Rizwan": ("Riz",),
    "Waqas": ("Waq",),
    "Sajid": ("Saj",),
    "Usman": ("Uzzy",),
    "Abdul": ("Abs",),
    "Hamza": ("Hamz",),
    "Jack": ("Jacko",),
    "Thomas": ("Tom", "Tommy"),
    "Daniel": ("Danny", "Dan"),
    "Christopher": ("Chris",),
    "Michael": ("Mike", "Mikey"),
    "Anthony": ("Tony", "Ant"),
    "Robert": ("Rob", "Bob"),
    "William": ("Will", "Billy"),
    "James": ("Jim", "Jimmy", "Jamie"),
    "Joshua": ("Josh",),
    "Matthew": ("Matt",),
    "Andrew": ("Andy",),
    "Steven": ("Steve",),
    "Stephen": ("Steve",),
    "Richard": ("Rich", "Dick"),
    "Samuel": ("Sam",),
    "Jessica": ("Jess",),
    "Rebecca": ("Becky", "Becca"),
    "Samantha": ("Sam",),
    "Victoria": ("Vicky", "Tori"),
    "Jennifer": ("Jen", "Jenny"),
    "Catherine": ("Kate", "Cath"),
    "Katie": ("Kat",),
    "Olivia": ("Liv",),
    "Amelia": ("Millie", "Mel"),
    "Charlotte": ("Charlie", "Lottie"),
    "Sophie": ("Soph",),
    "Megan": ("Meg",),
    "Chelsea": ("Chels",),
    "Courtney": ("Court",),
    "Lauren": ("Loz",),
    "Bethany": ("Beth",),
    "Georgia": ("George",),
    "Hannah": ("Han",),
    "Natalia": ("Nat",),
    "Aleksandra": ("Ola", "Alex"),
    "Katarzyna": ("Kasia", "Kate"),
    "Krzysztof": ("Krzys", "Kris"),
    "Tomasz": ("Tomek", "Tom"),
    "Piotr": ("Piotrek", "Pete"),
    "Jakub": ("Kuba",),
    "Oluwaseun": ("Seun",),
    "Chinedu": ("Chi",),
    "Oluwatobi": ("Tobi",),
    "Jermaine": ("Jay",),
    "Marcus": ("Marky",),
    "Tyrone": ("Ty",),
    "Aaliyah": ("Liyah",),
    "Jasmine": ("Jas", "Jazz"),
    "Gabriela": ("Gabi",),
}

# Street names: what victims often know offenders by. Invented, generic handles.
STREET_NAMES = (
    "Boss Kaz Bully Daddy Sid Tiger Shorty Uncle Smoke Prince Chico Bam Ziggy Ace Tony Max "
    "Jay Mack Dex Rocky Bugsy Spider Flash Kid Lucky Bear Cuz Taz Nico Rico Vee Bigz Dee"
).split()
# Anglicised aliases some adults give in hotel registers and to children.
ALIASES_M = "Tony Max Jay Danny Chris Sam Adam Ryan Alex Mike Steve John Ali Jack".split()

# Invented street-name parts for the town.
STREET_STEMS = (
    "Mill Church Station Victoria Albert Park Oak Elm Fenton Hollin Beck Castle Bridge "
    "Market Chapel School Moor Green Field Spring Well Brook Ash Birch Cedar Holly Laurel "
    "Rowan Willow Manor Hall Grange Abbey Priory Canal Wharf Foundry Weavers Dyers Tanner "
    "Carr Royd Clough Nab Ings Lidget Towngate Boothroyd Calder Kirk Lumb Scar Thorn"
).split()
STREET_SUFFIXES = (
    "Street Road Lane Avenue Close Terrace Court Way Grove Crescent Drive Place Walk Rise"
).split()
STREET_ABBREV = {
    "Street": "St",
    "Road": "Rd",
    "Lane": "Ln",
    "Avenue": "Ave",
    "Close": "Cl",
    "Terrace": "Ter",
    "Court": "Ct",
    "Crescent": "Cres",
    "Drive": "Dr",
    "Place": "Pl",
}


class NameBook:
    """Weighted forename and surname pickers per origin, sex and generation."""

    def __init__(self) -> None:
        self._fore: dict[tuple[str, str, str], Picker[str]] = {}
        for key, names in FORENAMES.items():
            weights = zipf_weights(len(names), s=0.9, offset=1.5)
            if key == ("south_asian", "M", "any"):
                # Mohammed (in some spelling) leads by a wide margin in many communities.
                weights[0] *= 3.0
                weights[1] *= 1.5
            self._fore[key] = Picker(names, weights)
        self._sur: dict[str, Picker[str]] = {
            origin: Picker(names, zipf_weights(len(names), s=1.0, offset=1.0))
            for origin, names in SURNAMES.items()
        }
        self.origins = Picker(list(ORIGIN_MIX), list(ORIGIN_MIX.values()))

    def forename(self, rng: random.Random, origin: str, sex: str, born: int) -> str:
        generation = "child" if born >= 2000 else "adult"
        for key in ((origin, sex, generation), (origin, sex, "any")):
            picker = self._fore.get(key)
            if picker:
                return picker.pick(rng)
        return self._fore[("english", sex, generation)].pick(rng)

    def surname(self, rng: random.Random, origin: str) -> str:
        return self._sur[origin].pick(rng)

    def middle(self, rng: random.Random, origin: str, sex: str, born: int, forename: str) -> str:
        if rng.random() < (0.55 if origin in ("english", "caribbean") else 0.2):
            middle = self.forename(rng, origin, sex, born)
            return "" if middle == forename else middle
        return ""


def variant(name: str, rng: random.Random) -> str:
    """Another spelling of the same name, or the name itself when none is known."""
    alts = VARIANTS.get(name)
    if alts:
        return alts[rng.randrange(len(alts))]
    plain = ascii_fold(name)
    return plain if plain != name else name


def familiar(name: str, rng: random.Random) -> str | None:
    alts = FAMILIAR.get(name)
    return alts[rng.randrange(len(alts))] if alts else None


_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "đ": "d", "ß": "ss"})


def ascii_fold(text: str) -> str:
    """Strip diacritics, as many older systems do on entry ("Wiśniewski" -> "Wisniewski")."""
    text = text.translate(_FOLD)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_KEYBOARD = {
    "a": "s", "e": "r", "i": "o", "o": "i", "u": "y", "n": "m", "m": "n", "s": "a",
    "r": "t", "t": "r", "l": "k", "h": "j", "d": "f", "k": "l", "c": "v", "y": "u",
}  # fmt: skip
_SOUNDS = (("ph", "f"), ("ck", "k"), ("ee", "ea"), ("ie", "ei"), ("ou", "ow"), ("z", "s"),
           ("y", "i"), ("ll", "l"), ("ss", "s"), ("tt", "t"), ("q", "k"), ("ai", "ay"))  # fmt: skip


def misspell(name: str, rng: random.Random) -> str:
    """One plausible typing or hearing error."""
    if len(name) < 3:
        return name
    kind = rng.randrange(5)
    i = rng.randrange(1, len(name))
    if kind == 0:  # drop a letter
        return name[:i] + name[i + 1 :]
    if kind == 1:  # double a letter
        return name[:i] + name[i] + name[i:]
    if kind == 2 and i < len(name) - 1:  # swap neighbours
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind == 3:  # neighbouring key
        c = name[i].lower()
        if c in _KEYBOARD:
            return name[:i] + _KEYBOARD[c] + name[i + 1 :]
    lower = name.lower()
    for a, b in _SOUNDS:
        j = lower.find(a, 1)
        if j > 0:
            return name[:j] + b + name[j + len(a) :]
    return name[:i] + name[i + 1 :]
