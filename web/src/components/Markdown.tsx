// CDS card details are GitHub-flavoured markdown (CDS Hooks 2.0 §Card). Rendered by react-markdown, which builds
// React elements and never injects raw HTML; links open outside the app.
import ReactMarkdown from 'react-markdown';

export function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown
        skipHtml
        components={{
          a: ({ href, children }) => (
            <a href={href} target="_blank" rel="noreferrer">
              {children}
            </a>
          ),
          // Card details sit under the card's own heading: keep their headings small.
          h1: ({ children }) => <p className="md-heading">{children}</p>,
          h2: ({ children }) => <p className="md-heading">{children}</p>,
          h3: ({ children }) => <p className="md-heading">{children}</p>,
        }}
      >
        {text}
      </ReactMarkdown>
    </div>
  );
}
