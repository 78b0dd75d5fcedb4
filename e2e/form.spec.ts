// The New sweep form in a real browser against the real lab server (issue 12 item 5, issue 14
// item 4): messages that name the field as the form labels it, Queue disabled while the sweep
// cannot run, the live estimate, Enter to queue, a trained model chosen, duplicate-and-edit.
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { useLabSession } from './labPage';
import { ROOT } from './labServerProcess';

const SHOTS = join(import.meta.dirname, 'screenshots');

test.describe.configure({ mode: 'serial' });

const lab = useLabSession('seqlab-form-', { dbName: 'form.sqlite' });
const pageErrors: string[] = [];

async function openForm(page: Page): Promise<void> {
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto(lab.server.url);
  await expect(page.getByRole('tab', { name: 'New sweep' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('estimate-probes')).toHaveText('24');
}

const queueButton = (page: Page) => page.getByTestId('queue-button');

test('each bad input of issue 12 gets a message naming its field, and Queue is disabled', async ({ page }) => {
  await openForm(page);
  await expect(queueButton(page)).toBeEnabled();
  await page.screenshot({ path: join(SHOTS, 'form-valid.png'), fullPage: true });

  const T = page.getByTestId('T-list');
  await T.fill('16, abc, 64');
  await expect(page.getByText("Sequence lengths T: 'abc' is not an integer; use integers in [1, 1,000,000]")).toBeVisible();
  await expect(T).toHaveAttribute('aria-invalid', 'true');
  await expect(queueButton(page)).toBeDisabled();
  await expect(page.getByTestId('estimate-blocked')).toHaveText('No estimate yet: fix Sequence lengths T.');
  await page.screenshot({ path: join(SHOTS, 'form-invalid-T.png'), fullPage: true });
  await T.fill('16, 64');
  await expect(queueButton(page)).toBeEnabled();

  // A range with from > to, refused inline; swapped, its values are shown.
  await page.getByTestId('T-mode').selectOption('range');
  await page.getByTestId('T-from').fill('1024');
  await page.getByTestId('T-to').fill('16');
  await expect(page.getByText('Sequence lengths T: from 1024 is greater than to 16; swap them')).toBeVisible();
  await expect(queueButton(page)).toBeDisabled();
  await page.screenshot({ path: join(SHOTS, 'form-invalid-range.png'), fullPage: true });
  await page.getByTestId('T-from').fill('16');
  await page.getByTestId('T-to').fill('1024');
  await expect(page.getByTestId('field-T')).toContainText('= 16, 64, 256, 1024');
  await expect(queueButton(page)).toBeEnabled();

  // Duplicates.
  await page.getByTestId('bf-list').fill('0, 1, 0');
  await expect(page.getByText("Forget-gate biases: '0' is listed twice; give each value once")).toBeVisible();
  await expect(queueButton(page)).toBeDisabled();
  await page.screenshot({ path: join(SHOTS, 'form-invalid-duplicate.png'), fullPage: true });
  await page.getByTestId('bf-list').fill('0, 1');

  // 1,024 refused with the number to write; 1e3 accepted.
  await page.getByLabel('Hidden H').fill('1,024');
  await expect(page.getByText("Hidden H: '1,024': write 1024 without a thousands separator")).toBeVisible();
  await expect(queueButton(page)).toBeDisabled();
  await page.screenshot({ path: join(SHOTS, 'form-invalid-thousands.png'), fullPage: true });
  await page.getByLabel('Hidden H').fill('1e1');
  await expect(queueButton(page)).toBeEnabled();

  // An out-of-range gain, named by its label (not init.whGain).
  await page.getByLabel('Wh gain g').fill('150');
  await expect(page.getByText('Wh gain g: 150 is out of range; use a number in [0, 100]')).toBeVisible();
  await expect(queueButton(page)).toBeDisabled();
  await page.screenshot({ path: join(SHOTS, 'form-invalid-gain.png'), fullPage: true });
  await page.getByLabel('Wh gain g').fill('1');
  await expect(queueButton(page)).toBeEnabled();

  // Placeholders are examples of their own field.
  await page.getByTestId('T-mode').selectOption('list');
  await expect(page.getByTestId('T-list')).toHaveAttribute('placeholder', 'e.g. 16, 64, 256');
  await expect(page.getByTestId('bf-list')).toHaveAttribute('placeholder', 'e.g. -2, 0, 1, 2');
  expect(pageErrors).toEqual([]);
});

test('the estimate follows the typing, and a sweep too big for this machine is refused once, at its field', async ({ page }) => {
  await openForm(page);
  // 2 T x (RNN + LSTM x 5 biases) = 12 probes.
  await page.getByTestId('T-list').fill('16, 64');
  await expect(page.getByTestId('estimate-probes')).toHaveText('12');
  // The time is from the sweep's shapes timed by the lab's idle workers, and says so.
  await expect(page.getByTestId('estimate-basis')).toHaveText("from this sweep's shapes timed here just now");
  await page.getByTestId('seeds-list').fill('1 2 3');
  await expect(page.getByTestId('estimate-probes')).toHaveText('36');

  // Memory: the lab's check, live, shown once at Hidden H, and Queue disabled.
  await page.getByTestId('T-list').fill('100000');
  await page.getByLabel('Batch N').fill('4096');
  await page.getByLabel('Hidden H').fill('4096');
  const memory = page.getByText(/^Hidden H: .*needs .* more than the .* one probe may use here/);
  await expect(memory).toBeVisible();
  await expect(memory).toHaveCount(1);
  await expect(queueButton(page)).toBeDisabled();
  await expect(page.getByTestId('estimate-blocked')).toHaveText('The sweep cannot run as set: fix Hidden H.');
  await page.screenshot({ path: join(SHOTS, 'form-invalid-memory.png'), fullPage: true });
  await page.getByLabel('Batch N').fill('4');
  await page.getByTestId('T-list').fill('16, 64');
  await expect(memory).toHaveCount(0);
  await expect(queueButton(page)).toBeEnabled();
  expect(pageErrors).toEqual([]);
});

test('keyboard only: labels are bound, Tab moves on in order, Enter queues', async ({ page }) => {
  await openForm(page);
  await page.getByLabel('Name').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('keyboard sweep');
  // Tab from the name reaches the Model choice, then the architectures, in the order shown.
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('model-select')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.locator('#arch-rnn')).toBeFocused();
  await page.getByTestId('T-list').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('8, 16');
  await page.getByLabel('Hidden H').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('4');
  await expect(page.getByTestId('estimate-probes')).toHaveText('12');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('tab', { name: /Queue/ })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('[data-testid^="sweep-"]').filter({ hasText: 'keyboard sweep' }).first()).toBeVisible();
  expect(pageErrors).toEqual([]);
});

test('duplicate-and-edit fills the form with the sweep; queued unchanged, it resumes that sweep', async ({ page }) => {
  await openForm(page);
  await page.getByRole('tab', { name: /Queue/ }).click();
  const card = page.locator('[data-testid^="sweep-"]').filter({ hasText: 'keyboard sweep' }).first();
  await card.getByTestId('duplicate').click();
  await expect(page.getByRole('tab', { name: 'New sweep' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('draft-note')).toContainText('keyboard sweep');
  await expect(page.getByLabel('Name')).toHaveValue('keyboard sweep');
  await expect(page.getByTestId('T-list')).toHaveValue('8, 16');
  await expect(page.getByLabel('Hidden H')).toHaveValue('4');
  await expect(page.getByTestId('estimate-probes')).toHaveText('12');
  await page.screenshot({ path: join(SHOTS, 'form-duplicate.png'), fullPage: true });
  await page.getByLabel('Name').press('Enter');
  await expect(page.getByTestId('resumed-notice')).toContainText('keyboard sweep');
  // Edited, it is a new sweep.
  await page.getByLabel('Hidden H').fill('5');
  await page.getByLabel('Name').fill('keyboard sweep, H=5');
  await page.getByLabel('Name').press('Enter');
  await expect(page.getByRole('tab', { name: /Queue/ })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('[data-testid^="sweep-"]').filter({ hasText: 'keyboard sweep, H=5' }).first()).toBeVisible();
  expect(pageErrors).toEqual([]);
});

test('a trained model: its summary shown, D and H locked, the bias axis an offset', async ({ page }) => {
  await openForm(page);
  const select = page.getByTestId('model-select');
  const example = select.locator('option', { hasText: 'adding_gru_T100_H32.safetensors' });
  await expect(example).toHaveCount(1);
  await select.selectOption({ label: await example.innerText() });
  const summary = page.getByTestId('model-summary');
  await expect(summary).toContainText('GRU, layer 0');
  await expect(summary).toContainText('D = 2, H = 32');
  await expect(page.getByTestId('model-sha256')).toHaveText(/^[0-9a-f]{64}$/);
  await expect(page.getByTestId('D-locked')).toHaveValue('2');
  await expect(page.getByTestId('H-locked')).toHaveValue('32');
  await expect(page.locator('#arch-gru')).toBeChecked();
  await expect(page.locator('#arch-lstm')).toBeDisabled();
  await expect(page.getByTestId('field-bf')).toContainText('Forget/update-gate bias offset');
  await expect(page.getByTestId('field-bf')).toContainText('update-gate z');
  await expect(page.locator('#archs-hint')).toHaveText('the model file holds a GRU layer');
  // A GRU has no cell state: dc is off, and the norms say why.
  await expect(page.getByTestId('norm-dc')).toBeDisabled();
  await expect(page.getByTestId('norm-dc')).not.toBeChecked();
  await expect(page.locator('#norms-hint')).toContainText('dc is the LSTM cell state’s: no architecture chosen has one');
  // 4 T x 5 offsets of the one GRU.
  await expect(page.getByTestId('estimate-probes')).toHaveText('20');
  await expect(queueButton(page)).toBeEnabled();
  await page.screenshot({ path: join(SHOTS, 'form-model.png'), fullPage: true });

  // "from a file…", then Esc: back to the model chosen before.
  await select.selectOption({ label: 'from a file…' });
  await expect(page.getByTestId('model-browse')).toBeVisible();
  await select.press('Escape');
  await expect(page.getByTestId('model-browse')).toHaveCount(0);
  await expect(summary).toContainText('adding_gru_T100_H32.safetensors');

  // Upload a file: it is imported into the lab by its hash and chosen.
  await select.selectOption({ label: 'from a file…' });
  await page.getByTestId('model-file').setInputFiles(join(ROOT, 'examples', 'adding_lstm_T100_H32.safetensors'));
  await expect(summary).toContainText('adding_lstm_T100_H32.safetensors');
  await expect(summary).toContainText('LSTM, layer 0');
  await expect(page.locator('#arch-lstm')).toBeChecked();
  await expect(page.locator('#archs-hint')).toHaveText('the model file holds an LSTM layer');
  await expect(page.getByTestId('norm-dc')).toBeEnabled();
  await expect(page.getByTestId('norm-dc')).toBeChecked();

  // Back to random init: D and H editable again.
  await select.selectOption({ label: 'random init' });
  await expect(page.getByLabel('Input D')).toBeEditable();
  await expect(page.getByTestId('field-bf')).toContainText('Forget-gate biases');
  expect(pageErrors).toEqual([]);
});

test('without an LSTM, dc is off; a sweep on its own input sequences duplicated keeps them and its T fixed', async ({ page }) => {
  test.setTimeout(90_000);
  await openForm(page);
  // RNN only: dc cannot be ticked; with the LSTM back, it is as it was.
  await page.locator('#arch-lstm').uncheck();
  await expect(page.getByTestId('norm-dc')).toBeDisabled();
  await expect(page.getByTestId('norm-dc')).not.toBeChecked();
  await page.locator('#arch-lstm').check();
  await expect(page.getByTestId('norm-dc')).toBeEnabled();
  await expect(page.getByTestId('norm-dc')).toBeChecked();

  // A sweep on the shipped input sequences, queued as another client would (no T: the file fixes it).
  const inputs = 'example:adding_inputs_N16_T100.npy';
  const queued = (await (
    await page.request.post(`${lab.server.url}api/queueSweep`, {
      headers: { 'content-type': 'application/json' },
      data: JSON.stringify({ name: 'own sequences', archs: ['rnn'], inputs, forgetBias: [0], H: 4 }),
    })
  ).json()) as { ok: boolean; value: { id: number } };
  expect(queued.ok).toBe(true);
  await page.getByRole('tab', { name: /Queue/ }).click();
  await page.getByTestId(`sweep-${queued.value.id}`).getByTestId('duplicate').click();
  await expect(page.getByRole('tab', { name: 'New sweep' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('inputs-file')).toHaveText('adding_inputs_N16_T100.npy');
  await expect(page.getByTestId('T-locked')).toHaveValue('100');
  await expect(page.getByTestId('N-locked')).toHaveValue('16');
  await expect(page.getByTestId('D-locked')).toHaveValue('2');
  // RNN only, as queued: dc off.
  await expect(page.getByTestId('norm-dc')).toBeDisabled();
  await expect(page.getByTestId('estimate-probes')).toHaveText('1');
  await expect(queueButton(page)).toBeEnabled();
  await page.screenshot({ path: join(SHOTS, 'form-duplicate-inputs.png'), fullPage: true });
  // Queued unchanged it is the same spec (T left to the file): the sweep resumes, nothing refused.
  await queueButton(page).click();
  await expect(page.getByTestId('resumed-notice')).toContainText(`sweep #${queued.value.id}`);
  expect(await page.getByTestId('form-error').count()).toBe(0);

  // Gaussian inputs instead: T, N and D editable again.
  await page.getByTestId('inputs-drop').click();
  await expect(page.getByTestId('field-inputs')).toHaveCount(0);
  await expect(page.getByTestId('T-list')).toHaveValue('100');
  await expect(page.getByLabel('Batch N')).toBeEditable();
  await expect(page.getByLabel('Input D')).toBeEditable();
  expect(pageErrors).toEqual([]);
});
