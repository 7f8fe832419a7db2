// The screening checklist of Decision 3802/QĐ-BYT as injection asks it (the keys and wording of
// services/injection/src/vaxflow_injection/data/screening.toml; injection refuses an unknown or
// missing key, so a change there shows at once as a 422 naming the key).

export const QUESTIONS = [
  ["anaphylaxis_to_covid_vaccine", "Anaphylaxis after an earlier dose of a COVID-19 vaccine or to one of its components"],
  ["severe_allergy_history", "Anaphylaxis of grade 2 or more to any allergen"],
  ["other_allergy_history", "Allergy to other allergens (food, medicine, ...)"],
  ["acute_illness", "Acute illness or fever now"],
  ["covid19_last_6_months", "COVID-19 in the last 6 months"],
  ["other_vaccine_last_14_days", "Another vaccine in the last 14 days"],
  ["chronic_disease_uncontrolled", "A chronic disease that is progressing or not under control"],
  ["chronic_disease_controlled", "A chronic disease under control"],
  ["immunodeficiency_or_immunosuppression", "Severe immunodeficiency, or immunosuppressive treatment (chemotherapy, radiotherapy, high-dose corticosteroids)"],
  ["pregnant_under_13_weeks", "Pregnant, under 13 weeks"],
  ["pregnant_13_weeks_or_more", "Pregnant, 13 weeks or more"],
  ["breastfeeding", "Breastfeeding"],
  ["clotting_disorder_or_anticoagulants", "A clotting disorder, or taking anticoagulants"],
];

export const VITALS = [
  ["temperature_c", "Temperature (°C)", "0.1", 30, 45],
  ["pulse_per_min", "Pulse (/min)", "1", 20, 250],
  ["systolic_mmhg", "Systolic (mmHg)", "1", 40, 300],
  ["diastolic_mmhg", "Diastolic (mmHg)", "1", 20, 200],
  ["spo2_percent", "SpO2 (%)", "1", 50, 100],
];

export const OUTCOMES = {
  eligible: "Eligible",
  caution: "Caution",
  postpone: "Postpone",
  contraindicated: "Contraindicated",
  refer_to_hospital: "Refer to hospital",
};

/** Outcomes after which the dose may be given here. */
export const CLEARED = new Set(["eligible", "caution"]);

// The coded reactions of injection's data/reactions.toml.
export const REACTIONS = [
  "injection_site_pain",
  "injection_site_swelling",
  "injection_site_redness",
  "fever",
  "headache",
  "fatigue",
  "myalgia",
  "nausea",
  "vomiting",
  "dizziness",
  "syncope",
  "urticaria",
  "rash",
  "allergic_reaction",
  "chest_pain",
  "dyspnoea",
  "hypotension",
  "anaphylaxis",
  "seizure",
];

export const SERIOUSNESS = [
  "death",
  "life_threatening",
  "hospitalisation",
  "disability",
  "congenital_anomaly",
  "cluster",
];

export const BODY_SITES = {
  left_deltoid: "Left deltoid",
  right_deltoid: "Right deltoid",
  left_thigh: "Left thigh",
  right_thigh: "Right thigh",
};

export const OBSERVATION_MINUTES = 30;
