"""Every source entry of every bundled dataset names one paper, and the issue-15 source errors stay fixed.

The papers are cross-checked against a small table written here (PMID, DOI, words of the title,
journal and year), not against the team's source files.
"""

from __future__ import annotations

import re

import pytest

from evidence_app.core.datasets.references import iter_reported

# PMID or DOI -> (the other identifier or None, words from the title, "Journal year")
PAPERS: dict[str, tuple[str | None, str, str]] = {
    "17538086": (None, "Temsirolimus, interferon alfa, or both", "N Engl J Med 2007"),
    "18653228": ("10.1016/S0140-6736(08)61039-9", "Efficacy of everolimus in advanced renal cell", "Lancet 2008"),
    "24297950": ("10.1200/JCO.2013.50.3961", "temsirolimus versus sorafenib as second-line", "J Clin Oncol 2014"),
    "25049330": ("10.1200/JCO.2013.54.6911", "sequential first-line everolimus", "J Clin Oncol 2014"),
    "28327953": ("10.1093/annonc/mdx075", "Final overall survival analysis for the phase II", "Ann Oncol 2017"),
    "26626617": ("10.1016/j.eururo.2015.10.049", "Prospective Evaluation in Metastatic", "Eur Urol 2016"),
    "31272939": ("10.1016/j.euo.2019.06.004", "Temsirolimus versus Pazopanib (TemPa)", "Eur Urol Oncol 2020"),
    "26406150": ("10.1056/NEJMoa1510016", "Cabozantinib versus Everolimus in Advanced", "N Engl J Med 2015"),
    "26092818": (None, "(BOLERO-1)", "Lancet Oncol 2015"),
    "25231953": (None, "overall survival results from BOLERO-2", "Ann Oncol 2014"),
    "24742739": (None, "(BOLERO-3)", "Lancet Oncol 2014"),
    "26703889": (None, "(RADIANT-4)", "Lancet 2016"),
    "10.1056/NEJMoa1510665": (None, "Nivolumab versus everolimus in advanced renal-cell", "N Engl J Med 2015"),
    "10.1200/JCO.2015.60.9727": (None, "BEST: A Randomized Phase II Study", "J Clin Oncol 2015"),
    "10.1016/S1470-2045(15)00290-9": (None, "Lenvatinib, everolimus, and the combination", "Lancet Oncol 2015"),
    "10.1200/JCO.2013.50.5305": (None, "Temsirolimus and Bevacizumab Versus Interferon Alfa", "J Clin Oncol 2013"),
}
DOI_TO_PMID = {doi: pmid for pmid, (doi, _, _) in PAPERS.items() if doi}
PUBMED_IN_ADDRESS = re.compile(r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/|/pubid)(\d+)")


def _all_sources(library):
    return [(d, s) for d in library.datasets for s in d.sources]


def _paper_key(source) -> str | None:
    if source.pmid:
        return source.pmid
    if source.doi:
        return DOI_TO_PMID.get(source.doi, source.doi)
    return None


def test_every_identified_source_names_one_paper(library):
    checked = 0
    for d, s in _all_sources(library):
        key = _paper_key(s)
        if key is None:
            continue
        assert key in PAPERS, f"{d.id} {s.id}: unknown paper {key} ({s.citation[:60]})"
        doi, title, journal_year = PAPERS[key]
        where = f"{d.id} {s.id} ({s.url})"
        assert title.lower() in s.citation.lower(), f"{where}: citation does not name {title!r}"
        assert journal_year in s.citation, f"{where}: citation does not say {journal_year!r}"
        if s.doi and doi:
            assert s.doi == doi, f"{where}: DOI {s.doi} belongs to another paper"
        checked += 1
    assert checked > 40


def test_addresses_agree_with_identifiers(library):
    for d, s in _all_sources(library):
        url = s.url or ""
        found = PUBMED_IN_ADDRESS.search(url)
        if found:
            assert s.pmid == found.group(1), f"{d.id} {s.id}: address shows PMID {found.group(1)}, entry {s.pmid}"
        pmc = re.search(r"PMC(\d+)", url)
        if pmc:
            assert s.pmid != pmc.group(1), f"{d.id} {s.id}: a PubMed Central id used as PMID"
        for doi in DOI_TO_PMID | {k: k for k in PAPERS if k.startswith("10.")}:
            suffix = doi.split("/", 1)[1]
            if suffix in url:
                assert s.doi == doi, f"{d.id} {s.id}: address shows {doi}, entry {s.doi}"


def test_every_citation_names_a_paper_or_page(library):
    for d, s in _all_sources(library):
        assert len(s.citation) >= 20 and s.citation[0].isalnum(), f"{d.id} {s.id}: citation {s.citation!r}"


def test_record3_final_cites_the_2014_report_for_its_earlier_analysis(library):
    d = library.get("record3-os-final")
    earlier = next(o for o in d.flags.other_reported if o.label == "Earlier analysis")
    source = d.source(earlier.sources[0])
    assert source.pmid == "25049330" and "J Clin Oncol 2014" in source.citation
    assert "Knox" not in source.citation.split(".")[0]


@pytest.mark.parametrize("dataset_id", ["intorsect-pfs", "intorsect-os"])
def test_intorsect_pmc_id_is_not_a_pmid(library, dataset_id):
    pmids = {s.pmid for s in library.get(dataset_id).sources}
    assert "5569683" not in pmids and "24297950" in pmids


@pytest.mark.parametrize("dataset_id", ["espn-pfs", "espn-os-final"])
def test_espn_repository_abstract_is_the_journal_article(library, dataset_id):
    source = next(s for s in library.get(dataset_id).sources if "mdanderson" in (s.url or ""))
    assert source.kind == "primary paper"
    assert "Eur Urol 2016" in source.citation and source.pmid == "26626617"


def test_aspen_os_cites_the_aspen_paper(library):
    source = next(s for s in library.get("aspen-os").sources if "themednet" in (s.url or ""))
    assert source.citation.startswith("Everolimus versus sunitinib") and "(ASPEN)" in source.citation


def test_meteor_keeps_the_conflicting_hazard_ratio(library):
    d = library.get("meteor-os-interim")
    (conflict,) = [c for c in d.flags.conflicting_values if c.quantity == "comparison.hazard_ratio"]
    assert conflict.value is not None and conflict.value.startswith("0.67")
    assert d.source(conflict.sources[0]).kind == "congress abstract"
    assert conflict.resolution and "0.66" in conflict.resolution
    assert d.comparison.hazard_ratio.value == 0.66


def test_every_published_value_has_a_locator(library):
    missing = [
        (d.id, path) for d in library.datasets for path, value in iter_reported(d) if not (value.locator or "").strip()
    ]
    assert missing == []


def test_judgement_calls_are_written_in_the_datasets(library):
    aspen = library.get("aspen-os")
    assert aspen.comparison.hazard_ratio.ci_level_assumed
    assert any(j.topic == "HR CI level" and "95%" in j.decision for j in aspen.flags.judgements)
    study205 = library.get("study205-pfs-len-vs-eve")
    assert study205.comparison.hazard_ratio is None
    assert any(j.field == "comparison.hazard_ratio" and "published" in j.decision for j in study205.flags.judgements)
    for dataset_id, kind in (
        ("checkmate025-os", "interim"),
        ("checkmate025-pfs", "interim"),
        ("espn-pfs", "interim"),
        ("espn-os-final", "final"),
    ):
        d = library.get(dataset_id)
        assert d.analysis.kind == kind
        assert any(j.field == "analysis.kind" and j.decision.startswith(kind) for j in d.flags.judgements)
    bolero2 = library.get("bolero2-os-kmdata")
    assert any("724" in j.decision for j in bolero2.flags.judgements)
    assert any(c.value == "720" for c in bolero2.flags.conflicting_values)


def test_published_precision_is_kept(library):
    study205 = library.get("study205-pfs-len-eve-vs-eve").comparison.hazard_ratio
    assert study205.value == 0.4 and study205.decimals == [2, 2, 2]  # published as 0.40
    aspen = library.get("aspen-os").comparison.hazard_ratio
    assert aspen.decimals == [2, 1, 0]  # published as 1.12 (0.7–2)
    arcc = library.get("arcc-os-tem-vs-ifn").experimental.median
    assert arcc.value == 10.9 and arcc.decimals == [1]
