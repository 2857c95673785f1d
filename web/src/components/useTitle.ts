// Each screen names itself in the window title (WCAG 2.4.2), e.g. "Maria Santos · Genomics · Flaura".
import { useEffect } from 'react';

export function useTitle(...parts: (string | undefined)[]): void {
  const title = [...parts.filter(Boolean), 'Flaura'].join(' · ');
  useEffect(() => {
    document.title = title;
  }, [title]);
}
