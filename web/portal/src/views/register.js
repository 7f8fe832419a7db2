import { useEffect, useState } from "preact/hooks";
import { post } from "../api.js";
import { BackLink, described, Field, fieldErrors, html, Problem, useFocusHeading } from "../ui.js";

// Priority groups of Decision 3355/QĐ-BYT, short names (registration's API documents them in full).
const GROUPS = [
  ["Nhân viên y tế", "Health workers"],
  ["Lực lượng phòng chống dịch", "Epidemic control"],
  ["Quân đội", "Army"],
  ["Công an", "Police"],
  ["Ngoại giao", "Diplomats"],
  ["Hải quan, xuất nhập cảnh", "Customs and immigration"],
  ["Dịch vụ thiết yếu", "Essential services"],
  ["Giáo dục, công vụ", "Teachers, public offices"],
  ["Bệnh mạn tính", "Chronic disease"],
  ["Từ 65 tuổi trở lên", "Aged 65 and over"],
  ["Vùng có dịch", "Outbreak areas"],
  ["Hộ nghèo, chính sách", "Poor and social-policy beneficiaries"],
  ["Đi công tác, học tập nước ngoài", "Going abroad for work or study"],
  ["Người lao động khu công nghiệp", "Industrial zone workers"],
  ["Chức sắc tôn giáo", "Religious dignitaries"],
  ["Lao động tự do và khác", "Self-employed and others"],
];

let areas = null;
function loadAreas() {
  areas ||= fetch("/areas.json").then((r) => r.json());
  return areas;
}

/** The session's phone (+84…) as it is usually written (0…). */
function localPhone() {
  try {
    const phone = JSON.parse(localStorage.getItem("vaxflow.portal.session") || "{}").phone || "";
    return phone.startsWith("+84") ? `0${phone.slice(3)}` : phone;
  } catch {
    return "";
  }
}

export function Register({ t, people, params, choose, refreshPeople }) {
  const family = params.has("family") || people.some((p) => p.relationship === "self");
  const [form, setForm] = useState(() => ({
    id_type: "cccd",
    national_id: "",
    passport_country: "",
    full_name: "",
    date_of_birth: "",
    sex: "",
    phone: family ? "" : localPhone(),
    province_code: "",
    ward_code: "",
    line: "",
    priority_group: "",
    health_insurance_number: "",
    consent: false,
  }));
  const [provinces, setProvinces] = useState([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const heading = useFocusHeading();
  useEffect(() => {
    loadAreas().then((a) => setProvinces(a.provinces), () => setProvinces([]));
  }, []);

  const set = (name) => (e) => {
    const el = e.currentTarget;
    const value = el.type === "checkbox" ? el.checked : el.value;
    setForm((f) => ({ ...f, [name]: value, ...(name === "province_code" ? { ward_code: "" } : {}) }));
  };
  const wards = provinces.find((p) => p.code === form.province_code)?.wards ?? [];
  const errors = fieldErrors(error, t);

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = {
      relationship: family ? "family_member" : "self",
      id_type: form.id_type,
      national_id: form.national_id.trim(),
      full_name: form.full_name.trim(),
      date_of_birth: form.date_of_birth,
      sex: form.sex,
      phone: form.phone.trim(),
      address: {
        province_code: form.province_code,
        ward_code: form.ward_code,
        line: form.line.trim() || null,
      },
      priority_group: form.priority_group ? Number(form.priority_group) : null,
      health_insurance_number: form.health_insurance_number.trim() || null,
      consent: form.consent,
    };
    if (form.id_type === "passport") body.passport_country = form.passport_country.trim().toUpperCase();
    try {
      const created = await post("/citizens", body);
      choose(created.citizen_id);
      await refreshPeople();
      window.location.hash = "#/";
    } catch (err) {
      setError(err);
      setBusy(false);
      setTimeout(() => document.querySelector(".problem, [aria-invalid=true]")?.focus?.(), 0);
    }
  };

  const input = (name, label, props = {}, hint = undefined) => html`
    <${Field} id=${name} label=${label} hint=${hint} error=${errors[name]}>
      <input ...${described(name, { hint, error: errors[name] })} value=${form[name]}
        onInput=${set(name)} ...${props} />
    <//>`;
  const en = t.lang === "en";

  return html`<section class="card" aria-labelledby="reg-h">
    <${BackLink} t=${t} />
    <h1 id="reg-h" tabindex="-1" ref=${heading}>${t(family ? "register_title_family" : "register_title_self")}</h1>
    <form onSubmit=${submit} novalidate>
      ${input("full_name", t("full_name"), { autocomplete: family ? "off" : "name", required: true, maxlength: 100 }, t("full_name_hint"))}
      <${Field} id="id_type" label=${t("id_type")} error=${errors.id_type}>
        <select ...${described("id_type", { error: errors.id_type })} value=${form.id_type} onChange=${set("id_type")}>
          <option value="cccd">${t("id_cccd")}</option>
          <option value="cmnd">${t("id_cmnd")}</option>
          <option value="passport">${t("id_passport")}</option>
        </select>
      <//>
      ${input("national_id", t("national_id"), { inputmode: form.id_type === "passport" ? "text" : "numeric", required: true, maxlength: 20, autocomplete: "off" })}
      ${form.id_type === "passport" && input("passport_country", t("passport_country"), { maxlength: 3 })}
      ${input("date_of_birth", t("date_of_birth"), { type: "date", required: true, max: new Date().toISOString().slice(0, 10) })}
      <fieldset class=${`field${errors.sex ? " invalid" : ""}`} aria-describedby=${errors.sex ? "sex-error" : undefined}>
        <legend>${t("sex")}</legend>
        ${["male", "female", "unspecified"].map((s) => html`<label class="choice">
          <input type="radio" name="sex" value=${s} checked=${form.sex === s} onChange=${set("sex")} /> ${t(s)}
        </label>`)}
        ${errors.sex && html`<p class="field-error" id="sex-error">${errors.sex}</p>`}
      </fieldset>
      ${input("phone", t("contact_phone"), { type: "tel", inputmode: "tel", required: true, autocomplete: family ? "off" : "tel" })}
      <${Field} id="province_code" label=${t("province")} error=${errors.province_code}>
        <select ...${described("province_code", { error: errors.province_code })} required value=${form.province_code} onChange=${set("province_code")}>
          <option value="">${t("choose")}</option>
          ${provinces.map((p) => html`<option value=${p.code}>${p.name}</option>`)}
        </select>
      <//>
      <${Field} id="ward_code" label=${t("ward")} error=${errors.ward_code}>
        <select ...${described("ward_code", { error: errors.ward_code })} required value=${form.ward_code} onChange=${set("ward_code")} disabled=${!wards.length}>
          <option value="">${t("choose")}</option>
          ${wards.map(([code, name]) => html`<option value=${code}>${name}</option>`)}
        </select>
      <//>
      ${input("line", t("address_line"), { maxlength: 200, autocomplete: family ? "off" : "street-address" })}
      <${Field} id="priority_group" label=${t("priority_group")} error=${errors.priority_group}>
        <select ...${described("priority_group", { error: errors.priority_group })} value=${form.priority_group} onChange=${set("priority_group")}>
          <option value="">${t("none")}</option>
          ${GROUPS.map(([v, e], i) => html`<option value=${String(i + 1)}>${i + 1}. ${en ? e : v}</option>`)}
        </select>
      <//>
      ${input("health_insurance_number", t("insurance"), { maxlength: 20, autocomplete: "off" })}
      <div class=${`field checkbox${errors.consent ? " invalid" : ""}`}>
        <label class="choice">
          <input type="checkbox" id="consent" checked=${form.consent} onChange=${set("consent")}
            aria-invalid=${errors.consent ? "true" : undefined} aria-describedby=${errors.consent ? "consent-error" : undefined} />
          ${t("consent")}
        </label>
        ${errors.consent && html`<p class="field-error" id="consent-error">${errors.consent}</p>`}
      </div>
      ${error && html`<${Problem} t=${t} error=${error} />`}
      <button type="submit" class="primary" disabled=${busy}>${t("submit_register")}</button>
    </form>
  </section>`;
}
