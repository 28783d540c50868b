"""What each source address is, which paper it shows, and where in it the numbers stand.

Used by ``build_datasets.py``. Each row: (substring of the address, source kind, citation, locator).
``{primary}`` in the citation means "the paper's own citation, followed by this text"; the paper
is the record's own publication unless ``PAPER_OF_ADDRESS`` names the record whose citation is
the right one (an address can show a different paper than the record it is cited in: RECORD-3's
final OS record cites the 2014 report, ASPEN's OS record has no citation of its own).

The locator is written by the team: where on the page or in the paper the quoted numbers stand
(never the quoted sentence itself).
"""

from __future__ import annotations

ABSTRACT = "abstract"
NEWS = "news report, text"

URL_KINDS: list[tuple[str, str, str, str]] = [
    (
        "togows.dbcls.jp",
        "review",
        "Review article, PMID 19774211 (2009), quoting the updated RECORD-1 analysis",
        "abstract of the review",
    ),
    ("pubmed.ncbi.nlm.nih.gov", "primary paper", "{primary} Abstract on PubMed.", ABSTRACT),
    ("ncbi.nlm.nih.gov/pubmed", "primary paper", "{primary} Abstract on PubMed.", ABSTRACT),
    (
        "clinicaltrials.gov",
        "registry",
        "ClinicalTrials.gov results record NCT00065468 (participant flow)",
        "results, participant flow table ('Started' row)",
    ),
    (
        "scholars.northwestern.edu",
        "primary paper",
        "{primary} Abstract in the Northwestern Scholars repository.",
        ABSTRACT,
    ),
    (
        "researchinformation.umcutrecht.nl",
        "primary paper",
        "{primary} Abstract in the UMC Utrecht repository.",
        ABSTRACT,
    ),
    ("moh-it.pure.elsevier.com", "primary paper", "{primary} Abstract in an institutional repository.", ABSTRACT),
    ("vivo.weill.cornell.edu", "primary paper", "{primary} Abstract in the Weill Cornell VIVO repository.", ABSTRACT),
    ("themednet.org", "primary paper", "{primary} Abstract as listed by theMednet.", "abstract, Findings"),
    # The MD Anderson record is the Eur Urol 2016 article's abstract (it reports the interim
    # analysis that closed the trial and the final OS analysis), not a congress abstract.
    ("mdanderson.elsevierpure.com", "primary paper", "{primary} Abstract in the MD Anderson repository.", ABSTRACT),
    ("scholars.duke.edu", "primary paper", "{primary} Abstract in the Duke Scholars repository.", ABSTRACT),
    ("researchers.mq.edu.au", "primary paper", "{primary} Abstract in the Macquarie University repository.", ABSTRACT),
    ("linkinghub.elsevier.com", "primary paper", "{primary} Publisher's page.", "publisher's page, article header"),
    ("thelancet.com", "primary paper", "{primary} Publisher's full text.", "summary, Findings"),
    ("docksci.com", "primary paper", "{primary} Copy of the article (DocKSci).", "first page, header"),
    ("scribd.com", "primary paper", "{primary} Copy of the article (Scribd, first page).", "first page, header"),
    ("pubmedcentralcanada.ca", "primary paper", "{primary} Full text on PubMed Central Canada.", "first page, header"),
    (
        "urotoday.com/recent-abstracts/urologic-oncology/renal-cancer/94891",
        "primary paper",
        "{primary} Abstract as reproduced by UroToday.",
        ABSTRACT,
    ),
    (
        "urotoday.com/recent-abstracts/urologic-oncology/renal-cancer/83715",
        "primary paper",
        "{primary} Abstract as reproduced by UroToday.",
        ABSTRACT,
    ),
    (
        "urotoday.com/recent-abstracts/urologic-oncology/renal-cancer/108878",
        "primary paper",
        "{primary} Abstract as reproduced by UroToday (journal details not shown on the page).",
        ABSTRACT,
    ),
    (
        "acemap.info",
        "congress abstract",
        "INTORSECT final analysis, ESMO 2012 congress abstract (as indexed by AceMap)",
        ABSTRACT,
    ),
    (
        "oncologypro.esmo.org",
        "congress abstract",
        "INTORACT results, ESMO congress abstract (OncologyPRO)",
        ABSTRACT,
    ),
    ("cosa-2017", "congress abstract", "METEOR overall survival, COSA 2017 congress abstract", ABSTRACT),
    (
        "careeducation.ca",
        "congress abstract",
        "ESPN, ASCO 2014 abstract 4505 (as reported by CARE Education)",
        "summary of the abstract, text",
    ),
    (
        "PMC6484451",
        "review",
        "Cochrane review CD011673 (characteristics of included studies), PubMed Central",
        "characteristics of included studies, table for the trial",
    ),
    ("cochranelibrary.com", "review", "Cochrane review CD011673, reference list", "reference list"),
    (
        "PMC4756959",
        "review",
        "Review article, PubMed Central PMC4756959 (table of mTOR-inhibitor trials)",
        "Table 1",
    ),
    ("PMC3126010", "review", "Review article, PubMed Central PMC3126010 (table of trial results)", "Table 1"),
    ("PMC1906573", "review", "Review article (2007), PubMed Central PMC1906573, Table 1", "Table 1"),
    (
        "PMC10158799",
        "review",
        "Cochrane review CD013798, PubMed Central PMC10158799 (study characteristics)",
        "characteristics of studies table",
    ),
    ("PMC6938577", "primary paper", "{primary} Full text on PubMed Central (PMC6938577).", ABSTRACT),
    (
        "PMC5943250",
        "primary paper",
        "METEOR long-term overall survival follow-up, Br J Cancer 2018;118(9):1176-1178 (PubMed Central PMC5943250)",
        ABSTRACT,
    ),
    (
        "eururo-72-6.elsevierdigitaledition.com/files/assets/basic-html/page-142",
        "review",
        "Review in Eur Urol 2017;72(6), Table 1: randomized and single-arm phase 2 trials by RCC subtype",
        "Table 1",
    ),
    (
        "eururo-72-6.elsevierdigitaledition.com/files/assets/basic-html/page-130",
        "review",
        "Article in Eur Urol 2017;72(6) reporting CheckMate 025 analyses",
        "text, description of the analysed patients",
    ),
    (
        "nature.com/articles/ncpuro0862",
        "review",
        "Nat Clin Pract Urol commentary citing Hudes et al. 2007 (ncpuro0862)",
        "reference list",
    ),
    ("torisel.com", "secondary", "Manufacturer's product website (Torisel), efficacy page", "efficacy page, text"),
    ("thepharmaletter.com", "secondary", "The Pharma Letter news report of the ASCO 2006 presentation", NEWS),
    ("cancernetwork.com", "secondary", "CancerNetwork news report of the FDA approval of temsirolimus", NEWS),
    ("ascopost.com", "secondary", "The ASCO Post news report", NEWS),
    ("cancertherapyadvisor.com", "secondary", "Cancer Therapy Advisor news report", NEWS),
    (
        "seed document 001_",
        "secondary",
        "Guideline overview of mTOR inhibitors (last updated January 20, 2026), team background document",
        "section Renal Cell Carcinoma, subsection Non-Clear Cell RCC",
    ),
]

#: Address substring -> index of the record whose citation is the paper shown at that address.
PAPER_OF_ADDRESS: dict[str, int] = {
    "pubid25049330": 13,  # RECORD-3, J Clin Oncol 2014 (the earlier OS report), not Knox 2017
    "pubmed/25049330": 13,
    "themednet.org": 16,  # ASPEN, Lancet Oncol 2016 (the OS record has no citation of its own)
    "renal-cancer/108878": 26,  # METEOR final results, not the NEJM 2015 PFS paper
}
