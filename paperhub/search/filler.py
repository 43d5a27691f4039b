"""The words that say nothing about a paper's topic: English function words and the boilerplate of abstracts ("we
propose", "thereby", "various", "novel"), one list for the key terms, similar papers' labels, For you's words and
keywords, kept as words (readable) and stemmed where a module compares stems.

Its first part is what the key terms' scoring leaves out (terms.STOPWORDS, stemmed), as measured on CSFCube's dev
fold (0.545 nDCG@20; a variant listed as "without function words" read 0.535: docs/benchmarks.md). Leaving out the
rest there is unmeasured, so only what is shown leaves it out (labels, For you's "about ...", keywords).
"""

#: Function words and the commonest boilerplate: what the key terms' scoring leaves out (its counts are stored with
#: each paper: a change here changes terms.paper_counts, and needs terms.COUNTS_VERSION bumped and CSFCube measured).
SCORED_OUT = """
a an and are as at be been being both but by can could did do does each either for from had has have here how
however if in into is it its itself may might more most much must no nor not of on one only or other our ours
over own same shall should so some such than that the their them then there these they this those through thus
to too two under up upon us very via was we were what when where whether which while who whom whose why will
with within without would yet also among across after again against all almost along already although always
another any around based because before between beyond cannot despite due during else even ever every first
further furthermore given hence instead just less many moreover new often once per rather several since still
therefore three together toward towards well whereas whose paper propose proposed present presents show shows
shown study studies approach approaches method methods result results use used using work works
state-of-the-art well-known so-called well-established up-to-date
"""

#: The rest: left out of what is shown only.
SHOWN_OUT = """
about above afterwards alone am amongst anyhow anyone anything anyway anywhere became become becomes beforehand
behind below beside besides done down eg elsewhere enough especially etc everything everywhere except few former
formerly having he her hereby herein i ie indeed last latter least me meanwhile mostly my namely neither never
nevertheless next nobody none nothing now nowhere off onto others otherwise ourselves out perhaps she somehow
something sometimes themselves thence thereafter thereby therein thereupon though throughout until whatever
whenever whereby wherein whole you your
able achieve achieved achieves achieving address addresses addressing allow allows applied apply benchmark
benchmarks better called compared comparable consider considered demonstrate demonstrated demonstrates
demonstrating derive derived describe described design designed develop developed different effective effectively
efficient employ employed enable enables enabling existing experiment experimental experiments extensive
extensively find finds findings focus framework general good high higher improve improved improvement
improvements improves improving include includes including introduce introduced introduces key large larger lead
leads leverage leverages leveraging like low lower main make makes making model models novel obtain obtained
outperform outperforms overall particular performance performs play possible presented previous problem problems
proposes provide provided provides recent recently related remains report reported require requires research
respectively reveal reveals science scientific set showed significant significantly simple small specific strong
studied substantially superior task tasks technique techniques uses various way ways wide widely yield yields
alternative alternatives alternatively fundamental fundamentally inherent inherently innovative powerful
aim aims carefully crucial crucially examine examined examines exceptional extremely facilitate facilitates
facilitating frequently heavily important impressive investigate investigated investigates involve involves
involving mainly notably previously primarily purely rapidly remarkable remarkably roughly seamlessly
simultaneously solely surprisingly tackle tackles underscore underscores underscoring usually
approximately examining investigating tackling
"""

#: Every filler word, lowercased as written ("state-of-the-art" one word).
FILLER = frozenset(SCORED_OUT.split()) | frozenset(SHOWN_OUT.split())


def is_filler(word: str) -> bool:
    """Whether a word, as written, says nothing about a paper's topic ("Thereby", "state-of-the-art", "designs")."""
    word = word.lower()
    return word in FILLER or singular(word) in FILLER


def singular(word: str) -> str:
    """A word lowercased, without a plural's "s" ("llms" is "llm", "designs" "design"; "class", "basis", "focus"
    keep theirs, and so does a word of three letters: "DoS" is no plural of "do", "gas" none of "ga")."""
    word = word.lower()
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")) else word
