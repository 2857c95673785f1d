// Medicines offered by the prescribing form: RxNorm ingredient concepts (RxCUI, US National Library of Medicine,
// RxNorm public domain) with a usual adult starting dose as editable default text. Decision support, not this list,
// judges the choice: every order still goes through CDS Hooks order-sign.
export interface FormularyEntry {
  rxnorm: string;
  name: string;
  defaultDose: string;
}

export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

export const formulary: readonly FormularyEntry[] = [
  { rxnorm: '32968', name: 'clopidogrel', defaultDose: '75 mg by mouth once daily' },
  { rxnorm: '613391', name: 'prasugrel', defaultDose: '10 mg by mouth once daily' },
  { rxnorm: '1116632', name: 'ticagrelor', defaultDose: '90 mg by mouth twice daily' },
  { rxnorm: '36567', name: 'simvastatin', defaultDose: '20 mg by mouth once daily in the evening' },
  { rxnorm: '83367', name: 'atorvastatin', defaultDose: '20 mg by mouth once daily' },
  { rxnorm: '301542', name: 'rosuvastatin', defaultDose: '10 mg by mouth once daily' },
  { rxnorm: '2670', name: 'codeine', defaultDose: '30 mg by mouth every 6 hours as needed' },
  { rxnorm: '10689', name: 'tramadol', defaultDose: '50 mg by mouth every 6 hours as needed' },
  { rxnorm: '7052', name: 'morphine', defaultDose: '10 mg by mouth every 4 hours as needed' },
  { rxnorm: '36437', name: 'sertraline', defaultDose: '50 mg by mouth once daily' },
  { rxnorm: '2556', name: 'citalopram', defaultDose: '20 mg by mouth once daily' },
  { rxnorm: '7646', name: 'omeprazole', defaultDose: '20 mg by mouth once daily' },
  { rxnorm: '195085', name: 'efavirenz', defaultDose: '600 mg by mouth once daily at bedtime' },
  { rxnorm: '11289', name: 'warfarin', defaultDose: '5 mg by mouth once daily' },
];
