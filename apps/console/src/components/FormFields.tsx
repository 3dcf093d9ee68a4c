/** Labelled text box (with `<datalist>` suggestions) and select of the filter form. */
export interface TextFieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  options?: ReadonlyArray<{ value: string; label?: string }>;
  placeholder?: string;
  mono?: boolean;
  describedBy?: string;
  onFocus?: () => void;
}

export function TextField({
  onFocus,
  id,
  label,
  value,
  onInput,
  options,
  placeholder,
  mono,
  describedBy,
}: TextFieldProps) {
  const listId = options && options.length > 0 ? `${id}-options` : undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        class={mono ? 'mono' : undefined}
        value={value}
        list={listId}
        placeholder={placeholder}
        autocomplete="off"
        spellcheck={false}
        aria-describedby={describedBy}
        onInput={(event) => onInput(event.currentTarget.value)}
        onFocus={onFocus}
      />
      {listId && (
        <datalist id={listId}>
          {options?.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </datalist>
      )}
    </div>
  );
}

export interface SelectFieldProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: ReadonlyArray<{ value: string; label: string }>;
}

export function SelectField({ id, label, value, onChange, options }: SelectFieldProps) {
  const known = value === '' || options.some((option) => option.value === value);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        <option value="">Any</option>
        {!known && <option value={value}>{value}</option>}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
