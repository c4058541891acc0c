// DOM stand-ins for @tarojs/components (jest.mock factory). They keep ids and classNames, map
// onClick, and give onInput / onBlur Taro's event shape (`e.detail.value`).
import { createElement, type ReactNode } from 'react'

type Props = Record<string, unknown> & { children?: ReactNode }

const passThrough = ({ id, className, style, onClick }: Props) => ({ id, className, style, onClick })

const View = ({ children, ...props }: Props) => createElement('div', passThrough(props), children)
const Text = ({ children, ...props }: Props) => createElement('span', passThrough(props), children)
const ScrollView = View
const Image = ({ src, ...props }: Props) => createElement('img', { ...passThrough(props), src })

const Button = ({ children, disabled, loading, type, ...props }: Props) =>
  createElement('button', {
    ...passThrough(props),
    type: 'button',
    disabled: Boolean(disabled),
    'data-loading': loading ? 'true' : undefined,
    'data-type': type,
  }, children)

const Input = ({ value, type, placeholder, disabled, maxlength, onInput, onBlur, onFocus, ...props }: Props) =>
  createElement('input', {
    id: props.id,
    className: props.className,
    value: (value as string) ?? '',
    placeholder,
    disabled: Boolean(disabled),
    'data-type': type,
    'data-maxlength': maxlength,
    onChange: (e: { target: { value: string } }) => (onInput as ((e: unknown) => void) | undefined)?.({ detail: { value: e.target.value } }),
    onBlur: (e: { target: { value: string } }) => (onBlur as ((e: unknown) => void) | undefined)?.({ detail: { value: e.target.value } }),
    onFocus: () => (onFocus as (() => void) | undefined)?.(),
  })

module.exports = { __esModule: true, View, Text, ScrollView, Button, Input, Image }
