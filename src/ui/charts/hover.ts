import * as d3 from 'd3';
import type { Trial } from '../../lib/job';

/** The trial under the pointer, at a point in the chart's box (for its tooltip). */
export interface Hover {
  trial: Trial;
  x: number;
  y: number;
}

/**
 * Wires a chart's trial marks for hover (tooltip) and click (select the trial everywhere).
 * `box` is the positioned element the tooltip is placed in.
 */
export function trialInteractions<E extends Element, D>(
  marks: d3.Selection<E, D, d3.BaseType, unknown>,
  trialOf: (datum: D) => Trial,
  box: HTMLElement,
  onHover: (hover: Hover | undefined) => void,
  onSelect: (trial: Trial) => void,
): void {
  marks
    .on('mouseenter mousemove', (event: Event, d) => {
      const [x, y] = d3.pointer(event, box);
      onHover({ trial: trialOf(d), x, y });
    })
    .on('mouseleave', () => onHover(undefined))
    .on('click', (_event: Event, d) => onSelect(trialOf(d)));
}

/** Marks the selected trial's marks: `data-selected="true"` and the `selected` class, raised above the rest. */
export function markSelected<E extends Element, D>(marks: d3.Selection<E, D, d3.BaseType, unknown>, trialOf: (datum: D) => Trial, selected: number | undefined): void {
  marks
    .attr('data-selected', (d) => (trialOf(d).number === selected ? 'true' : null))
    .classed('selected', (d) => trialOf(d).number === selected)
    .filter((d) => trialOf(d).number === selected)
    .raise();
}
