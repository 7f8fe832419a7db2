"""The named analyses: SQL over the views of duck.py."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Analysis:
    """A named query and what it answers."""

    name: str
    summary: str
    sql: str


# A person's series is complete with a booster or a dose numbered at least the series length;
# age bands sort by their lower bound ('5-11' before '12-17').
ANALYSES: dict[str, Analysis] = {
    a.name: a
    for a in (
        Analysis(
            "doses-per-day",
            "Doses per day per administrative unit of the site and product (voids excluded).",
            """
            SELECT administered_on AS day, site_area_province_code AS province_code,
                   site_area_district_code AS district_code, site_area_ward_code AS ward_code,
                   product_code, count(*) AS doses
            FROM doses GROUP BY ALL ORDER BY ALL
            """,
        ),
        Analysis(
            "coverage-age",
            "People with at least one dose and with a complete primary series, by province of "
            "residence and age band (at the first dose), against the population file.",
            """
            WITH people AS (
                SELECT citizen_key,
                       arg_min(residence_province_code, administered_at) AS province_code,
                       arg_min(age_band, administered_at) AS age_band,
                       bool_or((dose_kind = 'booster' OR dose_number >= series_doses)) AS complete
                FROM doses GROUP BY citizen_key
            ), counted AS (
                SELECT province_code, age_band, count(*) AS at_least_one_dose,
                       count(*) FILTER (WHERE complete) AS series_complete
                FROM people GROUP BY ALL
            )
            SELECT coalesce(c.province_code, p.province_code) AS province_code,
                   coalesce(c.age_band, p.age_band) AS age_band,
                   p.population,
                   coalesce(c.at_least_one_dose, 0) AS at_least_one_dose,
                   coalesce(c.series_complete, 0) AS series_complete,
                   round(100.0 * coalesce(c.at_least_one_dose, 0) / p.population, 4)
                       AS pct_at_least_one_dose,
                   round(100.0 * coalesce(c.series_complete, 0) / p.population, 4)
                       AS pct_series_complete
            FROM counted c
            FULL JOIN population p
              ON p.province_code = c.province_code AND p.age_band = c.age_band
            ORDER BY 1,
                     CAST(regexp_extract(coalesce(c.age_band, p.age_band), '^[0-9]+') AS INTEGER)
            """,
        ),
        Analysis(
            "coverage-priority",
            "Registered people by priority group and age band (at registration or last "
            "change), and how many of them have at least one dose and a complete series.",
            """
            WITH citizens AS (
                SELECT citizen_key,
                       arg_max(priority_group, occurred_at) AS priority_group,
                       arg_max(holder_age_band, occurred_at) AS age_band
                FROM (
                    SELECT citizen_key, priority_group, holder_age_band, occurred_at
                    FROM citizen_registered
                    UNION ALL
                    SELECT citizen_key, priority_group, holder_age_band, occurred_at
                    FROM citizen_updated
                ) GROUP BY citizen_key
            ), vaccinated AS (
                SELECT citizen_key,
                       bool_or(dose_kind = 'booster' OR dose_number >= series_doses) AS complete
                FROM doses GROUP BY citizen_key
            )
            SELECT coalesce(CAST(c.priority_group AS VARCHAR), 'none') AS priority_group,
                   c.age_band,
                   count(*) AS registered,
                   count(v.citizen_key) AS at_least_one_dose,
                   count(*) FILTER (WHERE v.complete) AS series_complete,
                   round(100.0 * count(v.citizen_key) / count(*), 2) AS pct_at_least_one_dose,
                   round(100.0 * count(*) FILTER (WHERE v.complete) / count(*), 2)
                       AS pct_series_complete
            FROM citizens c LEFT JOIN vaccinated v USING (citizen_key)
            GROUP BY c.priority_group, c.age_band
            ORDER BY c.priority_group NULLS LAST,
                     CAST(regexp_extract(c.age_band, '^[0-9]+') AS INTEGER)
            """,
        ),
        Analysis(
            "dose-intervals",
            "Per product: doses after an earlier dose of the same person, and how many came at "
            "least the minimum interval after it (products.toml).",
            """
            WITH ordered AS (
                SELECT product_code, dose_kind, administered_on,
                       lag(administered_on) OVER (
                           PARTITION BY citizen_key ORDER BY administered_at, dose_number
                       ) AS previous_on
                FROM doses
            ), checked AS (
                SELECT o.product_code,
                       datediff('day', o.previous_on, o.administered_on) AS interval_days,
                       CASE WHEN o.dose_kind = 'booster'
                            THEN (SELECT max(booster_min_days) FROM product_rules)
                            ELSE r.primary_min_days END AS min_days
                FROM ordered o LEFT JOIN product_rules r USING (product_code)
                WHERE o.previous_on IS NOT NULL
            )
            SELECT product_code,
                   count(*) AS doses_checked,
                   count(*) FILTER (WHERE interval_days >= min_days) AS compliant,
                   count(*) FILTER (WHERE interval_days < min_days) AS too_early,
                   count(*) FILTER (WHERE min_days IS NULL) AS no_rule,
                   round(100.0 * count(*) FILTER (WHERE interval_days >= min_days)
                         / nullif(count(*) FILTER (WHERE min_days IS NOT NULL), 0), 2)
                       AS pct_compliant,
                   median(interval_days) AS median_interval_days,
                   min(interval_days) AS min_interval_days
            FROM checked GROUP BY product_code ORDER BY product_code
            """,
        ),
        Analysis(
            "aefi-per-lot",
            "Adverse events reported per 100,000 doses of each lot, all and serious (the latest "
            "classification decides seriousness).",
            """
            WITH given AS (
                SELECT lot_id, any_value(product_code) AS product_code,
                       any_value(lot_number) AS lot_number, count(*) AS doses
                FROM doses GROUP BY lot_id
            ), classified AS (
                SELECT aefi_id, arg_max(serious, occurred_at) AS serious
                FROM aefi_classified GROUP BY aefi_id
            ), reported AS (
                SELECT r.lot_id, count(DISTINCT r.aefi_id) AS reports,
                       count(DISTINCT r.aefi_id)
                           FILTER (WHERE coalesce(c.serious, r.serious)) AS serious_reports
                FROM aefi_reported r LEFT JOIN classified c USING (aefi_id)
                GROUP BY r.lot_id
            )
            SELECT coalesce(g.lot_id, r.lot_id) AS lot_id, g.product_code, g.lot_number,
                   coalesce(g.doses, 0) AS doses,
                   coalesce(r.reports, 0) AS aefi_reports,
                   coalesce(r.serious_reports, 0) AS serious_reports,
                   round(100000.0 * coalesce(r.reports, 0) / nullif(g.doses, 0), 1)
                       AS aefi_per_100k_doses,
                   round(100000.0 * coalesce(r.serious_reports, 0) / nullif(g.doses, 0), 1)
                       AS serious_per_100k_doses
            FROM given g FULL JOIN reported r ON r.lot_id = g.lot_id
            ORDER BY aefi_per_100k_doses DESC NULLS LAST, lot_id
            """,
        ),
        Analysis(
            "time-to-certificate",
            "Per day of injection: doses, doses with a first certificate, and seconds from the "
            "dose record to the certificate (median, 95th percentile, maximum).",
            """
            WITH first_certificate AS (
                SELECT dose_id, min(issued_at) AS issued_at
                FROM certificate_issued WHERE replaces_certificate_id IS NULL
                GROUP BY dose_id
            ), timed AS (
                SELECT d.administered_on,
                       c.dose_id IS NOT NULL AS certified,
                       epoch(c.issued_at) - epoch(d.recorded_at) AS seconds
                FROM doses d LEFT JOIN first_certificate c USING (dose_id)
            )
            SELECT administered_on AS day, count(*) AS doses,
                   count(*) FILTER (WHERE certified) AS certified,
                   round(quantile_cont(seconds, 0.5), 3) AS p50_seconds,
                   round(quantile_cont(seconds, 0.95), 3) AS p95_seconds,
                   round(max(seconds), 3) AS max_seconds
            FROM timed GROUP BY administered_on ORDER BY administered_on
            """,
        ),
    )
}
