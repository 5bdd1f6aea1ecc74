import { useEffect } from "react";

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
}

interface Options {
  count: number;
  selected: number;
  onMove: (index: number) => void;
  onOpen: (index: number) => void;
  onSearch: () => void;
}

/** Inbox shortcuts: j/k or arrows move, Enter opens, `/` focuses search. */
export function useListKeyboard({ count, selected, onMove, onOpen, onSearch }: Options) {
  useEffect(() => {
    const handler = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey) return;
      // Ignore keys while a dialog, menu or dropdown is open.
      if (document.querySelector('[role="dialog"][aria-modal="true"], [aria-haspopup][aria-expanded="true"]')) return;
      if (isTyping(e.target)) return;
      switch (e.key) {
        case "j":
        case "ArrowDown":
          if (count === 0) return;
          e.preventDefault();
          onMove(Math.min(count - 1, selected + 1));
          break;
        case "k":
        case "ArrowUp":
          if (count === 0) return;
          e.preventDefault();
          onMove(Math.max(0, selected - 1));
          break;
        case "Enter":
          if (count === 0 || selected < 0) return;
          e.preventDefault();
          onOpen(selected);
          break;
        case "/":
          e.preventDefault();
          onSearch();
          break;
      }
    };
    window.addEventListener("keydown", handler);
    return () => window.removeEventListener("keydown", handler);
  }, [count, selected, onMove, onOpen, onSearch]);
}
