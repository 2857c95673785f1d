// Dose-adjustment rules on real recommendation sentences (CPIC/DPWG wording).
import { describe, expect, it } from 'vitest';
import { deriveDoseAdjustment } from './dose-adjustment.ts';

describe('deriveDoseAdjustment', () => {
  it.each([
    ['Avoid codeine use because of potential for serious toxicity.', 'avoid', undefined],
    ['Abacavir is not recommended', 'avoid', undefined],
    ['Prescribe an alternative statin depending on the desired potency.', 'avoid', undefined],
    ['Reduce starting dose by 50% followed by titration of dose based on toxicity.', 'reduce', 50],
    ['Consider initiating efavirenz with decreased dose of 400 or 200 mg/day', 'reduce', undefined],
    ['Start with reduced starting doses (30%-80% of normal dose) if normal starting dose is 2-3 mg/kg/day.', 'reduce', 30],
    ['Reduce starting doses to 25% of normal dose and adjust doses.', 'reduce', 25],
    ['Consider a 25% reduction of recommended starting dose.', 'reduce', 75],
    ['Increase starting daily dose by 100%.', 'increase', 200],
    ['Use 1.5 times the standard dose and monitor the effect.', 'increase', 150],
    ['Use 0.7 times the standard dose.', 'reduce', 70],
    ['Initiate therapy with recommended starting dose.', 'standard', undefined],
    ['Use aminoglycoside antibiotics at standard doses for the shortest feasible course.', 'standard', undefined],
    ['No adjustments needed from typical dosing strategies. Subsequent doses should be adjusted according to therapeutic drug monitoring.', 'standard', undefined],
    ['Monitoring by the anticoagulation clinic:\n\n- recommend to use 50% of the standard initial dose', 'reduce', 50],
    ['1. The loading dose does not need to be adjusted.\n2. For the other doses, use 40% of the standard dose.', 'reduce', 40],
    ['Use the maximum dose as a target dose. If the effectiveness is still insufficient: increase the dose to 2.5 times the standard dose or choose an alternative.', 'increase', 250],
    ['Increase starting dose 1.5 to 2 times recommended starting dose.', 'increase', 150],
    ['Prescriber should be aware of possible increased risk for myopathy especially for 40mg dose.', undefined, undefined],
    ['Tafenoquine safety has been established for a G6PD enzyme activity ≥70% of normal.', undefined, undefined],
    ['Start with the normal initial dose, bearing in mind that an increase in this dose probably will not be required.', 'standard', undefined],
    ['Use a 4-fold higher dose.', 'increase', 400],
    ['Avoid standard dose clopidogrel if possible.', 'avoid', undefined],
    ['Avoid moderate and strong CYP2D6 inhibitors. Initiate therapy with recommended standard of care dosing (tamoxifen 20 mg/day).', 'standard', undefined],
    ['Subsequent doses should be adjusted according to therapeutic drug monitoring, response, and side effects.', 'titrate', undefined],
  ] as const)('%s → %s %s', (text, kind, pct) => {
    const d = deriveDoseAdjustment(text);
    expect(d?.kind).toBe(kind);
    expect(d?.percentOfStandard).toBe(pct);
    if (kind) expect(d?.text.length).toBeGreaterThan(0);
  });

  it('keeps a stated range and decides on the first line of a multi-paragraph text', () => {
    expect(deriveDoseAdjustment('Initiate therapy with 25-50% of the lowest recommended starting dose.')).toMatchObject({ kind: 'reduce', percentOfStandard: 25, percentRange: [25, 50] });
    expect(deriveDoseAdjustment('Initiate therapy with recommended standard of care dosing\n\nOther Considerations\n\nFurther dose adjustments may be necessary; use therapeutic drug monitoring.')?.kind).toBe('standard');
  });

  it('returns undefined when no rule applies', () => {
    expect(deriveDoseAdjustment('No recommendation')).toBeUndefined();
  });
});
