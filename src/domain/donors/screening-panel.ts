// The bank's donor screening panel (21 CFR 1271.85). Configurable with SCREENING_PANEL.
export interface PanelTest {
  code: string;
  name: string;
}

export const KNOWN_TESTS: readonly PanelTest[] = [
  { code: 'HIV_1_2_AB', name: 'HIV-1/2 antibody' },
  { code: 'HIV_1_NAT', name: 'HIV-1 nucleic acid test' },
  { code: 'HBSAG', name: 'Hepatitis B surface antigen' },
  { code: 'ANTI_HBC', name: 'Hepatitis B core antibody (total)' },
  { code: 'HBV_NAT', name: 'HBV nucleic acid test' },
  { code: 'HCV_AB', name: 'HCV antibody' },
  { code: 'HCV_NAT', name: 'HCV nucleic acid test' },
  { code: 'SYPHILIS', name: 'Treponema pallidum (syphilis)' },
  { code: 'HTLV_1_2_AB', name: 'HTLV-I/II antibody (viable, leukocyte-rich tissue)' },
  { code: 'CMV_AB', name: 'CMV antibody (viable, leukocyte-rich tissue)' },
];

/** The default panel for non-viable placental tissue; viable, leukocyte-rich tissue adds HTLV and CMV. */
export const DEFAULT_PANEL = ['HIV_1_2_AB', 'HIV_1_NAT', 'HBSAG', 'ANTI_HBC', 'HBV_NAT', 'HCV_AB', 'HCV_NAT', 'SYPHILIS'];

export function screeningPanel(configured?: string): string[] {
  return configured ? configured.split(',') : [...DEFAULT_PANEL];
}

/** Specimens must be collected within 7 days before or after recovery (1271.80(b)). */
export const SPECIMEN_WINDOW_DAYS = 7;
const DAY_MS = 86_400_000;

export function inSpecimenWindow(collectedAt: Date, recoveredAt: Date): boolean {
  return Math.abs(collectedAt.getTime() - recoveredAt.getTime()) <= SPECIMEN_WINDOW_DAYS * DAY_MS;
}
