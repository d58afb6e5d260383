/**
 * Sets a wrapping textarea's height to its text's, border included, so no line is hidden behind a
 * scroll bar. The width is left to the layout (a table cell), which is why the text wraps.
 */
export function fitHeight(area: HTMLTextAreaElement): void {
  // Not laid out (a closed panel): its scroll height would be 0; the resize observer fits it when shown.
  if (area.clientWidth === 0) return;
  const style = getComputedStyle(area);
  const borders = parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
  area.style.height = 'auto';
  area.style.height = `${area.scrollHeight + borders}px`;
}

/**
 * The field's text with line breaks taken out (a pasted regex or name is one line: the job's
 * fields hold no newline), written back to the field when it had any. The height is left to
 * whoever takes the value (CheckedInput refits on every change of it).
 */
export function singleLine(area: HTMLTextAreaElement): string {
  const text = area.value.replace(/[\r\n]+/g, '');
  if (text !== area.value) area.value = text;
  return text;
}

/**
 * Fits the height again whenever the field's width changes (the window or the column resized, or
 * the field first shown); returns the disconnect. Its own height changes are ignored, so setting
 * it does not call back without end.
 */
export function refitOnResize(area: HTMLTextAreaElement): () => void {
  let width = area.clientWidth;
  const observer = new ResizeObserver(() => {
    if (area.clientWidth === width) return;
    width = area.clientWidth;
    fitHeight(area);
  });
  observer.observe(area);
  return () => observer.disconnect();
}
